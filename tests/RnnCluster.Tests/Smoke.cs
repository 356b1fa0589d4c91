namespace RnnCluster.Tests; public class Smoke { [Fact] public void Builds() => Assert.True(1 + 1 == 2); }

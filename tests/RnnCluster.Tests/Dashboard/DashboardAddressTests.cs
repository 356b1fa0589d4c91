using Rnn.Math;
using RnnCluster.Coordinator.Dashboard;

namespace RnnCluster.Tests.Dashboard;

public class DashboardAddressTests
{
    [Theory]
    [InlineData("8080", "127.0.0.1", 8080)]
    [InlineData("0", "127.0.0.1", 0)]
    [InlineData("0.0.0.0:9100", "0.0.0.0", 9100)]
    [InlineData("localhost:65535", "localhost", 65535)]
    [InlineData("[::1]:8080", "::1", 8080)]
    public void ReadsPortAloneOrHostAndPort(string text, string host, int port)
    {
        var address = DashboardAddress.Parse(text, "--dashboard");

        Assert.Equal(new DashboardAddress(host, port), address);
    }

    [Theory]
    [InlineData("")]
    [InlineData("http")]
    [InlineData("65536")]
    [InlineData("-1")]
    [InlineData("127.0.0.1:")]
    [InlineData(":8080")]
    [InlineData("::1:8080")]
    [InlineData("[::1]8080")]
    [InlineData("host name:8080")]
    [InlineData("127.0.0.1:80:80")]
    public void RejectsAnythingElseNamingTheFlag(string text)
    {
        var error = Assert.Throws<InputException>(() => DashboardAddress.Parse(text, "--dashboard"));

        Assert.StartsWith("--dashboard: ", error.Message);
    }

    [Fact]
    public void WritesAnIpv6HostInBrackets()
    {
        Assert.Equal("[::1]:8080", new DashboardAddress("::1", 8080).ToString());
        Assert.Equal("127.0.0.1:8080", new DashboardAddress("127.0.0.1", 8080).ToString());
    }
}

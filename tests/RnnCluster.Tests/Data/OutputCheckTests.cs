using Rnn.Math;
using Rnn.Math.Config;
using Rnn.Math.Data;
using Rnn.Math.Data.Synthetic;

namespace RnnCluster.Tests.Data;

public class OutputCheckTests
{
    private static readonly Dataset Adding = AddingProblem.Generate(4, 4, 1);
    private static readonly Dataset Copy = CopyMemory.Generate(4, 5, 1);

    private static string ErrorOf(Dataset data, int units, bool sequence, LossKind loss)
        => Assert.Throws<InputException>(() => OutputCheck.Require(data, units, sequence, loss)).Message;

    [Fact]
    public void MatchingModelPasses()
    {
        OutputCheck.Require(Adding, 1, false, LossKind.Mse);
        OutputCheck.Require(Copy, 10, true, LossKind.CrossEntropy);
    }

    [Fact]
    public void UnitsNotMatchingTargetsAreRejected()
    {
        Assert.Equal("the data has 1 targets per sample but the model's last layer has 3 units", ErrorOf(Adding, 3, false, LossKind.Mse));
    }

    [Fact]
    public void SequenceOutputForPerSampleTargetsIsRejected()
    {
        Assert.StartsWith("the model returns a sequence", ErrorOf(Adding, 1, true, LossKind.Mse));
    }

    [Fact]
    public void CrossEntropyWithoutClassTargetsIsRejected()
    {
        Assert.StartsWith("training.loss crossentropy needs class-index targets", ErrorOf(Adding, 1, false, LossKind.CrossEntropy));
    }

    [Fact]
    public void TooFewUnitsForTheClassesAreRejected()
    {
        Assert.Equal(
            "the data's targets go up to class 9 but the model's last layer has 9 units (one per class)",
            ErrorOf(Copy, 9, true, LossKind.CrossEntropy));
    }
}

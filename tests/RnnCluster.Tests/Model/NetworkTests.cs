using Rnn.Math;
using Rnn.Math.Config;
using static RnnCluster.Tests.Model.ModelFactory;
using Rnn.Math.LayerTypes;

namespace RnnCluster.Tests.Model;

/// <summary>The stack's validation and its parameter layout in the order of docs/contract.md.</summary>
public class NetworkTests
{
    [Fact]
    public void Layout_ListsTensorsInContractOrder_WithPyTorchShapes()
    {
        var network = Build(3, Lstm(4, sequences: true), Dropout(0.2f), Gru(2), Dense(2));
        var expected = new (string, int[], int)[]
        {
            ("layers.0.weight_ih_l0", [16, 3], 0), ("layers.0.weight_hh_l0", [16, 4], 48),
            ("layers.0.bias_ih_l0", [16], 112), ("layers.0.bias_hh_l0", [16], 128),
            ("layers.2.weight_ih_l0", [6, 4], 144), ("layers.2.weight_hh_l0", [6, 2], 168),
            ("layers.2.bias_ih_l0", [6], 180), ("layers.2.bias_hh_l0", [6], 186),
            ("layers.3.weight", [2, 2], 192), ("layers.3.bias", [2], 196),
        };
        Assert.Equal(expected, network.Layout.Slots.Select(s => (s.Name, s.Shape, s.Offset)));
        Assert.Equal(198, network.ParameterCount);
    }

    [Fact]
    public void OutputShape_FollowsTheLastRecurrentLayersReturnSequences()
    {
        var manyToOne = Build(1, Lstm(8, sequences: true), Lstm(8), Dropout(0.1f), Dense(3));
        var manyToMany = Build(1, Gru(8, sequences: true), Dense(3));
        Assert.Equal((3, false), (manyToOne.OutputSize, manyToOne.OutputIsSequence));
        Assert.Equal((3, true), (manyToMany.OutputSize, manyToMany.OutputIsSequence));
    }

    private static string Refused(int inputSize, params LayerConfig[] layers)
        => Assert.Throws<InputException>(() => Build(inputSize, layers)).Message;

    [Fact]
    public void ZeroUnits_IsRefusedNamingTheField()
        => Assert.Equal("model.layers[2].units: expected a positive integer, got 0", Refused(1, Lstm(4, true), Dropout(0.1f), Dense(0)));

    [Fact]
    public void DropoutRateOfOne_IsRefused()
        => Assert.Equal("model.layers[1].rate: expected a number in [0, 1), got 1", Refused(1, Lstm(4, true), Dropout(1f), Dense(1)));

    [Fact]
    public void NonPositiveInputSize_IsRefused()
        => Assert.Equal("model.inputSize: expected a positive integer, got 0", Refused(0, Dense(1)));

    [Fact]
    public void RecurrentLayerAfterAVector_IsRefusedNamingTheLayerToFix()
        => Assert.StartsWith("model.layers[2]: a gru layer needs a sequence input, but model.layers[0] (lstm with returnSequences false)",
            Refused(1, Lstm(4), Dropout(0.1f), Gru(3)));

    [Fact]
    public void DropoutOnlyStack_IsRefused()
        => Assert.Equal("model.layers: expected at least one layer with weights; dropout alone produces no output", Refused(1, Dropout(0.1f)));
}

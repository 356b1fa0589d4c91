using Rnn.Math.Config;
using Rnn.Math.LayerTypes;

namespace RnnCluster.Tests.Config;

/// <summary>Each layer type's record writes itself as the config file does, and every record type is registered.</summary>
public class LayerTypeTests
{
    private static readonly LayerConfig[] Examples =
    [
        new RnnConfig(3, ReturnSequences: true),
        new LstmConfig(4),
        new GruConfig(2, ReturnSequences: true) { Bidirectional = true },
        new DenseConfig(3, Activation.Relu),
        new DropoutConfig(0.25f),
        new EmbeddingConfig(10, 4, MaskZero: true),
    ];

    public static TheoryData<LayerConfig> OneOfEachType => new(Examples);

    [Theory]
    [MemberData(nameof(OneOfEachType))]
    public void ToJson_ReadsBackThroughTheConfigReader_ToAnEqualRecord(LayerConfig layer)
    {
        var json = new ModelConfig(2, [layer]).ToJson().ToJsonString();

        var read = ConfigLoader.ParseModel(json, "model");

        Assert.Equal(layer, Assert.Single(read.Layers));
    }

    [Fact]
    public void EveryLayerRecord_IsRegisteredUnderItsTypeName()
    {
        var records = typeof(LayerConfig).Assembly.GetTypes()
            .Where(type => type.IsSubclassOf(typeof(LayerConfig)) && !type.IsAbstract)
            .Select(type => type.Name).Order();
        Assert.Equal(records, Examples.Select(layer => layer.GetType().Name).Order());
        Assert.Equal(LayerRegistry.Names.Order(), Examples.Select(layer => layer.TypeName).Order());
    }
}

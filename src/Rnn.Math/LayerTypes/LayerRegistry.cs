using Rnn.Math.Config;

namespace Rnn.Math.LayerTypes;

/// <summary>
/// Every layer type a config file can name. Adding one: write its record (a <see cref="LayerConfig"/> with its
/// fields, tensors, initialiser, runtime layer and ONNX nodes, as <see cref="DenseConfig"/> does) and list its
/// <see cref="LayerType"/> here.
/// </summary>
internal static class LayerRegistry
{
    public static readonly IReadOnlyList<LayerType> Types =
        [RnnConfig.Type, LstmConfig.Type, GruConfig.Type, DenseConfig.Type, DropoutConfig.Type, EmbeddingConfig.Type];

    public static IReadOnlyList<string> Names { get; } = [.. Types.Select(type => type.Name)];

    public static LayerType Named(string name) => Types.Single(type => type.Name == name);
}

/// <summary>A layer type as the config reader meets it: the `type` name, the fields it allows, and how it reads them.</summary>
internal sealed record LayerType(string Name, IReadOnlyList<string> Fields, Func<ConfigObject, LayerConfig> Read);

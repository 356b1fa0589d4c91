using System.Text.Json;
using Rnn.Math.Config;
using Rnn.Math.Model;
using Rnn.Math.Training;

namespace RnnCluster.Tests.Model;

/// <summary>
/// Predictions, mean loss and gradient agree with PyTorch's nn.RNN/LSTM/GRU/Linear within 1e-5, on fixtures written
/// by make_pytorch_fixtures.py from PyTorch's own weights (loaded here by their CONTRACT names).
/// </summary>
public class PyTorchAgreementTests
{
    private const double Tolerance = 1e-5;

    private sealed record Fixture(Network Network, LossKind Loss, float[] Parameters, ShardInput Shard,
        float[] Prediction, double MeanLoss, float[] Gradient);

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(v => v.GetSingle()).ToArray();

    private static Fixture Load(string name)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Model", name + ".json")));
        var root = json.RootElement;
        var layers = root.GetProperty("layers").EnumerateArray().Select(l => new LayerConfig(
            Enum.Parse<LayerType>(l.GetProperty("type").GetString()!, ignoreCase: true),
            l.GetProperty("units").GetInt32(),
            l.TryGetProperty("returnSequences", out var sequences) && sequences.GetBoolean(),
            Activation: l.TryGetProperty("activation", out var activation)
                ? Enum.Parse<Activation>(activation.GetString()!, ignoreCase: true) : Activation.Linear)).ToArray();
        var network = new Network(new ModelConfig(root.GetProperty("inputSize").GetInt32(), layers));
        var loss = root.GetProperty("loss").GetString() switch { "mse" => LossKind.Mse, "mae" => LossKind.Mae, _ => LossKind.CrossEntropy };

        float[] Flatten(string property)
        {
            var flat = new float[network.ParameterCount];
            foreach (var slot in network.Layout.Slots)
                Floats(root.GetProperty(property).GetProperty(slot.Name)).CopyTo(flat, slot.Offset);
            return flat;
        }

        int n = root.GetProperty("n").GetInt32();
        var shard = new ShardInput(Floats(root.GetProperty("x")), Floats(root.GetProperty("y")),
            Enumerable.Range(0, n).ToArray(), n, root.GetProperty("timesteps").GetInt32());
        return new Fixture(network, loss, Flatten("parameters"), shard, Floats(root.GetProperty("prediction")),
            root.GetProperty("meanLoss").GetDouble(), Flatten("gradients"));
    }

    public static TheoryData<string> Fixtures => new() { "rnn", "lstm", "gru", "stacked_many_to_many", "gru_mae", "lstm_crossentropy" };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Predictions_MatchPyTorch(string name)
    {
        var f = Load(name);
        var prediction = new float[f.Prediction.Length];
        new GradientEngine(f.Network, f.Loss, 0).Predict(f.Parameters, f.Shard.X, f.Shard.Count, f.Shard.Timesteps, prediction);
        Assert.All(prediction.Zip(f.Prediction), p => Assert.Equal(p.Second, p.First, Tolerance));
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void MeanLossAndGradient_MatchPyTorch(string name)
    {
        var f = Load(name);
        var engine = new GradientEngine(f.Network, f.Loss, 0);
        float scale = 1f / (f.Shard.Count * engine.LossTermsPerSample(f.Shard.Timesteps));
        var gradient = GradientCheck.Gradient(engine, f.Parameters, f.Shard, scale, dropout: null, out double lossSum);
        Assert.Equal(f.MeanLoss, lossSum * scale, Tolerance);
        for (int j = 0; j < gradient.Length; j++)
            Assert.True(System.Math.Abs(gradient[j] - f.Gradient[j]) <= Tolerance,
                $"{f.Network.Layout.Slots.Last(s => s.Offset <= j).Name}: ours {gradient[j]:G7}, PyTorch {f.Gradient[j]:G7}");
    }
}

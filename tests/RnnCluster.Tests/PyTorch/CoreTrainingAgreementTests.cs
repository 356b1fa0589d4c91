using Rnn.Math.Config;
using Rnn.Math.Model;
using Rnn.Math.Training;
using Rnn.Math.Weights;
using Xunit.Abstractions;

namespace RnnCluster.Tests.PyTorch;

using Optimizer = Rnn.Math.Training.Optimizer;

/// <summary>
/// The training core driven by hand over tests/fixtures_generator/train_reference.py's run: minibatches of the
/// config's batch size in dataset order, the last one partial, each a mean loss of its own, and one optimizer
/// step per minibatch for the config's epochs. This is what `rnn-cluster train` must do; see TrainAgreementTests.
/// </summary>
public class CoreTrainingAgreementTests(ITestOutputHelper log)
{
    private const double Tolerance = 2e-5;

    [Theory]
    [InlineData("rnn")]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void Two_epochs_of_adam_over_minibatches_with_a_partial_last_one_match_pytorch(string cell)
    {
        var config = ConfigLoader.Load(Path.Combine(FixtureFolders.Training, cell + ".json"));
        var data = SafeTensors.Read(Path.Combine(config.BaseDirectory, config.Data.Path!));
        var network = new Network(config.Model);
        var engine = new GradientEngine(network, config.Training.Loss, config.Training.TruncatedBptt);
        float[] parameters = SafeTensors.Read(Path.Combine(FixtureFolders.Training, cell + ".init.safetensors")).Parameters(network.Layout);
        var optimizer = Optimizer.Create(config.Training.OptimizerOrDefault);
        var state = optimizer.Initial(parameters.Length);
        float[] x = data.Values("x"), y = data.Values("y");
        int samples = data.Get("x").Shape[0], timesteps = data.Get("x").Shape[1];
        int xPerSample = x.Length / samples, yPerSample = y.Length / samples, batchSize = config.Training.BatchSize;

        for (int epoch = 0; epoch < config.Training.Epochs; epoch++)
            for (int first = 0; first < samples; first += batchSize)
            {
                int count = System.Math.Min(batchSize, samples - first);
                var minibatch = new ShardInput(
                    x[(first * xPerSample)..((first + count) * xPerSample)],
                    y[(first * yPerSample)..((first + count) * yPerSample)],
                    Enumerable.Range(first, count).ToArray(), count, timesteps);
                (parameters, state) = optimizer.Step(parameters, state, MinibatchGradient.Of(engine, config.Training.GroupSize, minibatch, parameters).Gradient);
            }

        float[] expected = SafeTensors.Read(Path.Combine(FixtureFolders.Training, cell + ".final.safetensors")).Parameters(network.Layout);
        foreach (var slot in network.Layout.Slots)
            Agreement.Within(Tolerance, $"{cell} {slot.Name}", slot.Of(expected.AsSpan()), slot.Of(parameters.AsSpan()), log);
    }
}

using Rnn.Math.Config;
using Rnn.Math.Training;
using static RnnCluster.Tests.Model.ModelFactory;
using Rnn.Math.LayerTypes;

namespace RnnCluster.Tests.Model;

/// <summary>Every layer, activation, loss and stacking variant: the analytic gradient equals finite differences.</summary>
public class GradientCheckTests
{
    private static void Check(LossKind loss, int inputSize, params LayerConfig[] layers) => Check(GradientCheck.Step, loss, inputSize, layers);

    private static void Check(double step, LossKind loss, int inputSize, params LayerConfig[] layers)
    {
        var network = Build(inputSize, layers);
        GradientCheck.AssertMatchesFiniteDifferences(network, loss, Shard(network, loss, n: 3, timesteps: 4, seed: 5), step: step);
    }

    [Fact] public void Rnn_ManyToOne() => Check(LossKind.Mse, 2, TanhRnn(3), Dense(2));

    [Fact] public void Lstm_ManyToOne() => Check(LossKind.Mse, 2, Lstm(3), Dense(2));

    [Fact] public void Gru_ManyToOne() => Check(LossKind.Mse, 2, Gru(3), Dense(2));

    [Fact] public void Rnn_ManyToMany() => Check(LossKind.Mse, 2, TanhRnn(3, sequences: true), Dense(2));

    [Fact] public void Lstm_ManyToMany() => Check(LossKind.Mse, 2, Lstm(3, sequences: true), Dense(2));

    [Fact] public void Gru_ManyToMany() => Check(LossKind.Mse, 2, Gru(3, sequences: true), Dense(2));

    [Fact] public void RecurrentOutput_WithoutDense() => Check(LossKind.Mse, 2, Lstm(3, sequences: true));

    [Theory]
    [InlineData(Activation.Linear)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Softmax)]
    public void Dense_EachActivation_MeanSquaredError(Activation activation)
        => Check(activation == Activation.Relu ? 1e-3 : GradientCheck.Step, LossKind.Mse, 3, Gru(4, sequences: true), Dense(3, activation));

    [Fact] public void Dense_OnRawSequence() => Check(LossKind.Mse, 3, Dense(4, Activation.Tanh), Dense(2));

    [Fact] public void MeanAbsoluteError() => Check(1e-3, LossKind.Mae, 2, Lstm(3, sequences: true), Dense(2));

    [Fact] public void CrossEntropy_OnLogits() => Check(LossKind.CrossEntropy, 2, Lstm(3, sequences: true), Dense(4));

    [Fact] public void CrossEntropy_ThroughSoftmaxHead() => Check(LossKind.CrossEntropy, 2, Gru(3), Dense(4, Activation.Softmax));

    [Fact] public void Stacked_LstmGruDense() => Check(LossKind.Mse, 2, Lstm(3, sequences: true), Gru(3), Dense(2));

    [Fact] public void Stacked_ManyToMany_AllCells() => Check(LossKind.Mse, 2, TanhRnn(3, sequences: true), Lstm(2, sequences: true), Gru(3, sequences: true), Dense(1));

    [Fact]
    public void Dropout_WithFixedMask_BetweenAndAfterRecurrentLayers()
    {
        var network = Build(2, Lstm(4, sequences: true), Dropout(0.4f), Gru(4), Dropout(0.3f), Dense(2));
        var shard = Shard(network, LossKind.Mse, n: 3, timesteps: 4, seed: 6);
        GradientCheck.AssertMatchesFiniteDifferences(network, LossKind.Mse, shard, dropout: new DropoutKey(9, 2));
    }

    [Fact]
    public void TruncatedBptt_LongerThanSequence_IsFullBptt()
    {
        var network = Build(2, Lstm(3, sequences: true), Gru(2), Dense(2));
        var shard = Shard(network, LossKind.Mse, n: 3, timesteps: 4, seed: 7);
        GradientCheck.AssertMatchesFiniteDifferences(network, LossKind.Mse, shard, truncatedBptt: 4);
    }
}

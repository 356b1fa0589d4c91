using Rnn.Math.Config;
using static RnnCluster.Tests.Config.ConfigText;

namespace RnnCluster.Tests.Config;

/// <summary>`training.optimizer` beyond Adam and SGD: adamw, rmsprop, Adam's weightDecay, SGD's nesterov, their defaults and errors.</summary>
public class OptimizerConfigTests
{
    private static OptimizerConfig Optimizer(string optimizer) => Parse(With("""{ "source": "safetensors", "path": "d.safetensors" }""", $"\"optimizer\": {optimizer}")).Training.OptimizerOrDefault;

    [Fact]
    public void Defaults_are_keras_and_pytorchs()
    {
        Assert.Equal(new OptimizerConfig(OptimizerKind.AdamW, WeightDecay: 0.01f), Optimizer("\"adamw\""));
        Assert.Equal(new OptimizerConfig(OptimizerKind.RmsProp), Optimizer("\"rmsprop\""));
        var rmsprop = Optimizer("""{ "type": "rmsprop" }""");
        Assert.Equal((0.001f, 0.9f, 1e-7f), (rmsprop.LearningRate, rmsprop.Rho, rmsprop.Epsilon));
        Assert.Equal(0f, Optimizer("""{ "type": "adam" }""").WeightDecay);
        Assert.Equal(0.01f, Optimizer("""{ "type": "adamw" }""").WeightDecay);
    }

    [Fact]
    public void The_new_fields_are_read()
    {
        Assert.Equal(0.25f, Optimizer("""{ "type": "adam", "weightDecay": 0.25 }""").WeightDecay);
        Assert.True(Optimizer("""{ "type": "sgd", "momentum": 0.9, "nesterov": true }""").Nesterov);
        Assert.Equal(0.5f, Optimizer("""{ "type": "rmsprop", "rho": 0.5 }""").Rho);
    }

    [Theory]
    [InlineData("""{ "type": "sgd", "nesterov": true }""", "training.optimizer.nesterov: nesterov needs a momentum above 0")]
    [InlineData("""{ "type": "sgd", "weightDecay": 0.1 }""", "training.optimizer.weightDecay: unknown field for the sgd optimizer")]
    [InlineData("""{ "type": "rmsprop", "beta1": 0.9 }""", "training.optimizer.beta1: unknown field for the rmsprop optimizer")]
    [InlineData("""{ "type": "adamw", "weightDecay": -1 }""", "training.optimizer.weightDecay: expected a weight decay >= 0")]
    [InlineData("""{ "type": "rmsprop", "rho": 1 }""", "training.optimizer.rho: expected a decay rate in [0, 1)")]
    public void A_wrong_field_is_named(string optimizer, string expected)
    {
        Assert.Contains(expected, ErrorOf(With("""{ "source": "safetensors", "path": "d.safetensors" }""", $"\"optimizer\": {optimizer}")));
    }

    [Theory]
    [InlineData("""{ "type": "plateau", "monitor": "valAccuracy" }""", "training.schedule.monitor: \"valAccuracy\" is not logged by this run; it logs loss, valLoss")]
    [InlineData("""{ "type": "plateau", "patience": 0 }""", "training.schedule.patience: expected a positive whole number, got 0")]
    [InlineData("""{ "type": "step", "every": 2, "warmupSteps": 3 }""", "training.schedule.warmupSteps: unknown field for a step schedule")]
    [InlineData("""{ "type": "linear" }""", "training.schedule.type: unknown schedule \"linear\"")]
    public void A_schedule_that_cannot_run_is_named(string schedule, string expected)
    {
        Assert.Contains(expected, ErrorOf(With("""{ "source": "safetensors", "path": "d.safetensors", "validationSplit": 0.2 }""", $"\"schedule\": {schedule}")));
    }

    [Fact]
    public void A_monitor_of_validation_needs_validation_data()
    {
        Assert.Contains("(this run has no validation data: set data.validationSplit or data.validationPath)",
            ErrorOf(With("""{ "source": "safetensors", "path": "d.safetensors" }""", "\"schedule\": { \"type\": \"plateau\" }")));
    }

    [Theory]
    [InlineData("""{ "patience": 0 }""", "training.earlyStopping.patience: expected a positive whole number, got 0")]
    [InlineData("""{ "monitor": "valAccuracy" }""", "training.earlyStopping.monitor: \"valAccuracy\" is not logged by this run")]
    [InlineData("""{ "minDelta": -0.1 }""", "training.earlyStopping.minDelta: expected a change >= 0")]
    [InlineData("""{ "restore": true }""", "training.earlyStopping.restore: unknown field for earlyStopping")]
    public void Early_stopping_that_cannot_run_is_named(string stopping, string expected)
    {
        Assert.Contains(expected, ErrorOf(With("""{ "source": "safetensors", "path": "d.safetensors", "validationSplit": 0.2 }""", $"\"earlyStopping\": {stopping}")));
    }

    [Fact]
    public void Early_stopping_defaults_to_valLoss_with_the_best_weights()
    {
        var stopping = Parse(With("""{ "source": "safetensors", "path": "d.safetensors", "validationSplit": 0.2 }""", "\"earlyStopping\": {}")).Training.EarlyStopping;

        Assert.Equal(new EarlyStoppingConfig("valLoss", 5, 0, true), stopping);
    }
}

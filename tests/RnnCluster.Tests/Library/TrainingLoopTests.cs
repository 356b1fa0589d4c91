using System.Text.Json;
using System.Text.Json.Nodes;
using Rnn.Math.Weights;
using RnnCluster.Tests.Cli;
using static RnnCluster.Tests.Library.SequentialTests;

namespace RnnCluster.Tests.Library;

/// <summary>
/// fit's companions in the C# API: a schedule given to Compile, EarlyStopping and ReduceLROnPlateau given to FitAsync
/// as callbacks. Each becomes the config's field, so a fit trains what `rnn-cluster train` trains for the config it
/// saves; what the history says is checked against what the schedule and the stopping rule give by hand.
/// </summary>
public class TrainingLoopTests
{
    [Fact]
    public async Task Early_stopping_stops_after_its_patience_keeps_the_best_weights_and_trains_what_the_cli_trains()
    {
        using var folder = new TempFolder();
        var (x, y) = Sine();
        var model = new Sequential(inputSize: 1) { new Lstm(8), new Dense(1) };
        model.Compile(new Adam(learningRate: 0.01), schedule: new StepDecay(every: 1, gamma: 0.5));
        // No later epoch can improve on the first by more than 10: the first is the best, and the fit stops after 2 more.
        var history = await model.FitAsync(x, y, epochs: 10, batchSize: 16, validationSplit: 0.25, options: new FitOptions { Seed = 5 },
            callbacks: [new EarlyStopping(monitor: "valLoss", patience: 2, minDelta: 10)]);

        Assert.Equal((1, 3), (history.BestEpoch, history.StoppedEpoch));
        Assert.Equal(3, history.Loss.Count);
        // StepLR: lr·gamma^⌊epoch/every⌋, epochs from 0.
        Assert.Equal([0.01, 0.005, 0.0025], history.LearningRate!.Select(rate => Math.Round(rate, 9)));

        // The best weights are the first epoch's: a fit of that one epoch alone (same seed, same order, same rate).
        var first = new Sequential(inputSize: 1) { new Lstm(8), new Dense(1) };
        first.Compile(new Adam(learningRate: 0.01));
        await first.FitAsync(x, y, epochs: 1, batchSize: 16, validationSplit: 0.25, options: new FitOptions { Seed = 5 });
        Assert.Equal(Bits(first.Predict(x)), Bits(model.Predict(x)));

        Assert.Equal(0, TrainSavedConfig(folder, model, x, y));
        Assert.Equal(File.ReadAllBytes(folder.File("cli/model.safetensors")), File.ReadAllBytes(folder.File("api/model.safetensors")));
        var training = JsonNode.Parse(File.ReadAllText(folder.File("cli/model.json")))!["training"]!;
        Assert.Equal((1, 3), ((int)training["bestEpoch"]!, (int)training["stoppedEpoch"]!));
    }

    [Fact]
    public async Task Reduce_lr_on_plateau_gives_the_rates_and_weights_of_the_cli_plateau_schedule()
    {
        using var folder = new TempFolder();
        var (x, y) = Sine();
        var model = new Sequential(inputSize: 1) { new Gru(8), new Dense(1) };
        model.Compile(new RmsProp(learningRate: 0.02));
        var history = await model.FitAsync(x, y, epochs: 6, batchSize: 16, validationSplit: 0.25, options: new FitOptions { Seed = 9 },
            callbacks: [new ReduceLROnPlateau(monitor: "valLoss", factor: 0.5, patience: 1, minLearningRate: 0.004)]);
        Assert.Null(history.StoppedEpoch);

        Assert.Equal(0, TrainSavedConfig(folder, model, x, y));
        Assert.Equal(File.ReadAllBytes(folder.File("cli/model.safetensors")), File.ReadAllBytes(folder.File("api/model.safetensors")));
        var logged = File.ReadAllLines(folder.File("cli/metrics.jsonl")).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("learningRate").GetDouble());
        Assert.Equal(logged, history.LearningRate!);
        // The plateau came: the rate fell from 0.02, and never below its floor.
        Assert.Equal(0.02, history.LearningRate![0], 9);
        Assert.True(history.LearningRate![^1] < 0.02, string.Join(", ", history.LearningRate!));
        Assert.All(history.LearningRate!, rate => Assert.True(rate >= 0.004 - 1e-9, $"{rate} is below the floor"));
    }

    [Fact]
    public async Task A_stateful_fit_carries_its_streams_state_trains_what_the_cli_trains_and_refuses_shuffling()
    {
        using var folder = new TempFolder();
        var (x, y) = Sine();
        var model = new Sequential(inputSize: 1) { new Lstm(6, stateful: true), new Dense(1) };
        model.Compile(new Adam(learningRate: 0.01));
        // 72 training samples as 8 streams of 9 consecutive windows, one window of each a step.
        var history = await model.FitAsync(x, y, epochs: 2, batchSize: 8, validationSplit: 0.25, shuffle: false, options: new FitOptions { Seed = 3, Workers = 2 });
        Assert.Equal(2, history.ValLoss!.Count);

        Assert.Equal(0, TrainSavedConfig(folder, model, x, y));
        Assert.Equal(File.ReadAllBytes(folder.File("cli/model.safetensors")), File.ReadAllBytes(folder.File("api/model.safetensors")));
        Assert.True((bool)JsonNode.Parse(File.ReadAllText(folder.File("api/model.json")))!["config"]!["model"]!["layers"]![0]!["stateful"]!);

        var stateless = new Sequential(inputSize: 1) { new Lstm(6), new Dense(1) };
        stateless.Compile(new Adam(learningRate: 0.01));
        await stateless.FitAsync(x, y, epochs: 2, batchSize: 8, validationSplit: 0.25, shuffle: false, options: new FitOptions { Seed = 3 });
        Assert.NotEqual(Bits(stateless.Predict(x)), Bits(model.Predict(x)));

        Assert.Equal("shuffle", (await Assert.ThrowsAsync<ArgumentException>(() => model.FitAsync(x, y, batchSize: 8))).ParamName);
        Assert.Equal("batchSize", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => model.FitAsync(x, y, batchSize: 200, shuffle: false))).ParamName);
        Assert.Equal("stateful", Assert.Throws<ArgumentException>(() => new Gru(4, bidirectional: true, stateful: true)).ParamName);
    }

    [Fact]
    public async Task Bad_schedules_and_callbacks_name_their_argument()
    {
        var (x, y) = Sine();
        Assert.Equal("every", Assert.Throws<ArgumentOutOfRangeException>(() => new StepDecay(every: 0)).ParamName);
        Assert.Equal("warmupSteps", Assert.Throws<ArgumentOutOfRangeException>(() => new CosineDecay(warmupSteps: -1)).ParamName);
        Assert.Equal("patience", Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping(patience: 0)).ParamName);
        Assert.Equal("minDelta", Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping(minDelta: -1)).ParamName);
        Assert.Equal("factor", Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(factor: 1)).ParamName);

        var model = new Sequential(inputSize: 1) { new Lstm(4), new Dense(1) };
        model.Compile(new Adam(), schedule: new CosineDecay(warmupSteps: 2));
        // valLoss is not logged without validation data; a plateau schedule beside the compiled one; two of a kind.
        var unlogged = await Assert.ThrowsAsync<ArgumentException>(() => model.FitAsync(x, y, callbacks: [new EarlyStopping()]));
        Assert.Equal("callbacks", unlogged.ParamName);
        Assert.Contains("\"valLoss\" is not logged by this run", unlogged.Message);
        Assert.Equal("callbacks", (await Assert.ThrowsAsync<ArgumentException>(() => model.FitAsync(x, y, validationSplit: 0.25,
            callbacks: [new ReduceLROnPlateau()]))).ParamName);
        Assert.Equal("callbacks", (await Assert.ThrowsAsync<ArgumentException>(() => model.FitAsync(x, y, validationSplit: 0.25,
            callbacks: [new EarlyStopping(), new EarlyStopping(monitor: "loss")]))).ParamName);
    }

    /// <summary>Saves the fit to api/, writes its data beside it and trains the saved config with the CLI into cli/; the CLI's exit code.</summary>
    private static int TrainSavedConfig(TempFolder folder, Sequential model, float[,,] x, float[,] y)
    {
        model.Save(folder.File("api"));
        SafeTensors.Write(folder.File("data.safetensors"), [
            new NamedTensor("x", [x.GetLength(0), x.GetLength(1), 1], x.Cast<float>().ToArray()),
            new NamedTensor("y", [y.GetLength(0), 1], y.Cast<float>().ToArray())]);
        var config = JsonNode.Parse(File.ReadAllText(folder.File("api/model.json")))!["config"]!.AsObject();
        config["data"]!["path"] = folder.File("data.safetensors");
        folder.Write("config.json", config.ToJsonString());
        return CliRun.Of("train", "--config", folder.File("config.json"), "--out", folder.File("cli"), "--quiet").ExitCode;
    }
}

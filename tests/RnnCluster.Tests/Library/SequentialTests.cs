using System.Text.Json.Nodes;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.Hosting;
using Rnn.Math.Weights;
using RnnCluster.Tests.Cli;

namespace RnnCluster.Tests.Library;

/// <summary>
/// The C# API: a Sequential model becomes the config a user would write and trains through the same session as
/// `rnn-cluster train`, so its weights are the CLI's bits; the same for any number of workers, local or in a
/// cluster whose worker an Akka.Hosting application hosts; and bad arguments fail as .NET guard clauses do.
/// </summary>
public class SequentialTests
{
    private const int Samples = 96, Timesteps = 8;

    internal static (float[,,] X, float[,] Y) Sine()
    {
        var x = new float[Samples, Timesteps, 1];
        var y = new float[Samples, 1];
        for (int i = 0; i < Samples; i++)
        {
            for (int t = 0; t < Timesteps; t++) x[i, t, 0] = MathF.Sin(0.4f * (i + t));
            y[i, 0] = MathF.Sin(0.4f * (i + Timesteps));
        }
        return (x, y);
    }

    private static Sequential Seed()
    {
        var model = new Sequential(inputSize: 1) { new Lstm(12), new Dropout(0.2), new Dense(1) };
        model.Compile(new Adam(learningRate: 0.01), "mse", ["mae"]);
        return model;
    }

    internal static int[] Bits(float[,] values) => [.. values.Cast<float>().Select(BitConverter.SingleToInt32Bits)];

    [Fact]
    public async Task Fit_and_save_write_what_rnn_cluster_train_writes_for_the_same_config_and_data()
    {
        using var folder = new TempFolder();
        var (x, y) = Sine();
        var model = Seed();
        var history = await model.FitAsync(x, y, epochs: 3, batchSize: 16, validationSplit: 0.25, options: new FitOptions { Seed = 7 });
        Assert.Equal(3, history.Loss.Count);
        Assert.Equal(3, history.ValLoss!.Count);
        Assert.Equal(3, history.Metrics["valMae"].Count);
        model.Save(folder.File("api"));

        SafeTensors.Write(folder.File("data.safetensors"), [
            new NamedTensor("x", [Samples, Timesteps, 1], x.Cast<float>().ToArray()),
            new NamedTensor("y", [Samples, 1], y.Cast<float>().ToArray())]);
        var config = JsonNode.Parse(File.ReadAllText(folder.File("api/model.json")))!["config"]!.AsObject();
        config["data"]!["path"] = folder.File("data.safetensors");
        folder.Write("config.json", config.ToJsonString());
        var cli = CliRun.Of("train", "--config", folder.File("config.json"), "--out", folder.File("cli"), "--quiet");
        Assert.Equal(0, cli.ExitCode);

        Assert.Equal(File.ReadAllBytes(folder.File("cli/model.safetensors")), File.ReadAllBytes(folder.File("api/model.safetensors")));
        var predictions = model.Predict(x);
        Assert.Equal(Bits(predictions), Bits(Sequential.Load(folder.File("api")).Predict(x)));
        Assert.Equal(Bits(predictions), Bits(Sequential.Load(folder.File("cli")).Predict(x)));
        var scores = model.Evaluate(x, y);
        Assert.True(scores["loss"] > 0 && scores.ContainsKey("mae"));
    }

    [Fact]
    public async Task Three_local_workers_and_a_cluster_worker_hosted_through_Akka_Hosting_give_the_one_workers_bits()
    {
        var (x, y) = Sine();
        var one = Seed();
        await one.FitAsync(x, y, epochs: 2, batchSize: 16, options: new FitOptions { Seed = 3 });
        var three = Seed();
        await three.FitAsync(x, y, epochs: 2, batchSize: 16, options: new FitOptions { Seed = 3, Workers = 3 });
        Assert.Equal(Bits(one.Predict(x)), Bits(three.Predict(x)));

        int port = FreePort();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAkka(WorkerHosting.SystemName, akka => akka
            .WithRemoting(new RemoteOptions { HostName = "127.0.0.1", Port = 0 })
            .WithClustering(new ClusterOptions { Roles = [WorkerHosting.Role], SeedNodes = [$"akka.tcp://{WorkerHosting.SystemName}@127.0.0.1:{port}"] })
            .WithRnnWorker());
        using var worker = builder.Build();
        await worker.StartAsync();
        try
        {
            var clustered = Seed();
            using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await clustered.FitAsync(x, y, epochs: 2, batchSize: 16,
                options: new FitOptions { Seed = 3, Cluster = new ClusterFit("127.0.0.1", port, MinWorkers: 1) }, cancellationToken: limit.Token);
            Assert.Equal(Bits(one.Predict(x)), Bits(clustered.Predict(x)));
        }
        finally
        {
            await worker.StopAsync();
        }
    }

    [Fact]
    public async Task A_classifier_takes_class_indices_and_reports_accuracy_each_epoch()
    {
        var x = new float[64, 5, 2];
        var y = new int[64];
        for (int i = 0; i < 64; i++)
        {
            y[i] = i % 3;
            for (int t = 0; t < 5; t++) (x[i, t, 0], x[i, t, 1]) = (y[i] - 1 + 0.1f * t, 0.5f * (i % 2));
        }
        var model = new Sequential(inputSize: 2) { new Gru(8, bidirectional: true), new Dense(3) };
        model.Compile(new Adam(learningRate: 0.05), "crossentropy", ["accuracy"]);
        var seen = new List<EpochProgress>();
        var history = await model.FitAsync(x, y, epochs: 15, batchSize: 16, progress: new Recorder(seen));
        Assert.Equal(15, history.Metrics["accuracy"].Count);
        Assert.Equal(Enumerable.Range(1, 15), seen.Select(e => e.Epoch));
        Assert.True(history.Metrics["accuracy"][^1] > 0.9, $"accuracy {history.Metrics["accuracy"][^1]}");
        var probabilities = model.Predict(x);
        Assert.Equal(3, probabilities.GetLength(1));
        Assert.Equal(1.0, probabilities[0, 0] + probabilities[0, 1] + probabilities[0, 2], 4);
    }

    [Fact]
    public async Task Token_ids_train_an_embedding_classifier_and_ids_outside_its_vocabulary_are_refused()
    {
        var tokens = new int[60, 6];
        var y = new int[60];
        for (int i = 0; i < 60; i++)
        {
            y[i] = i % 2;
            for (int t = 0; t < 6; t++) tokens[i, t] = 1 + (y[i] == 0 ? t % 2 : 2 + t % 2);
        }
        var model = new Sequential(inputSize: 1) { new Embedding(5, 4), new Lstm(8), new Dense(2) };
        model.Compile(new Adam(learningRate: 0.05), "crossentropy", ["accuracy"]);
        var history = await model.FitAsync(tokens, y, epochs: 10, batchSize: 12);
        Assert.True(history.Metrics["accuracy"][^1] > 0.9, $"accuracy {history.Metrics["accuracy"][^1]}");
        var probabilities = model.Predict(tokens);
        Assert.True(probabilities[0, 0] > probabilities[0, 1] && probabilities[1, 1] > probabilities[1, 0]);
        tokens[3, 2] = 5;
        Assert.Equal("tokens", Assert.Throws<ArgumentOutOfRangeException>(() => model.Predict(tokens)).ParamName);
        Assert.Throws<InvalidOperationException>(() => Seed().Predict(tokens));
    }

    [Fact]
    public async Task A_cancelled_fit_stops_with_a_checkpoint_in_its_folder()
    {
        using var folder = new TempFolder();
        var (x, y) = Sine();
        var model = Seed();
        using var cancel = new CancellationTokenSource();
        var stopAfterFirst = new Recorder([], _ => cancel.Cancel());
        var stopped = await Assert.ThrowsAsync<FitCanceledException>(() => model.FitAsync(x, y, epochs: 50, batchSize: 16,
            options: new FitOptions { CheckpointDirectory = folder.Path }, progress: stopAfterFirst, cancellationToken: cancel.Token));
        Assert.NotNull(stopped.Checkpoint);
        Assert.True(File.Exists(stopped.Checkpoint), stopped.Checkpoint);
        Assert.StartsWith(Path.Combine(folder.Path, "checkpoints"), stopped.Checkpoint);
    }

    [Fact]
    public async Task A_cancelled_fit_resumed_by_a_new_model_finishes_on_the_bits_of_a_fit_never_stopped()
    {
        using var folder = new TempFolder();
        var (x, y) = Sine();
        var whole = Seed();
        var wholeHistory = await whole.FitAsync(x, y, epochs: 6, batchSize: 16, validationSplit: 0.25, options: new FitOptions { Seed = 4 });

        using var cancel = new CancellationTokenSource();
        var stopAfterSecond = new Recorder([], epoch => { if (epoch.Epoch == 2) cancel.Cancel(); });
        await Assert.ThrowsAsync<FitCanceledException>(() => Seed().FitAsync(x, y, epochs: 6, batchSize: 16, validationSplit: 0.25,
            options: new FitOptions { Seed = 4, CheckpointDirectory = folder.Path }, progress: stopAfterSecond, cancellationToken: cancel.Token));

        var resuming = new FitOptions { Seed = 4, CheckpointDirectory = folder.Path, Resume = true };
        // A checkpoint past the epochs asked for, or of another fit (another seed), is refused as the argument that differs.
        Assert.Equal("epochs", (await Assert.ThrowsAsync<ArgumentException>(() => Seed().FitAsync(x, y, epochs: 1, batchSize: 16, validationSplit: 0.25,
            options: resuming))).ParamName);
        Assert.Equal("options", (await Assert.ThrowsAsync<ArgumentException>(() => Seed().FitAsync(x, y, epochs: 6, batchSize: 16, validationSplit: 0.25,
            options: resuming with { Seed = 5 }))).ParamName);
        Assert.Equal("options", (await Assert.ThrowsAsync<ArgumentException>(() => Seed().FitAsync(x, y, epochs: 6,
            options: new FitOptions { Resume = true }))).ParamName);

        var again = Seed();
        var history = await again.FitAsync(x, y, epochs: 6, batchSize: 16, validationSplit: 0.25, options: resuming);
        Assert.Equal(Bits(whole.Predict(x)), Bits(again.Predict(x)));
        // The history is the run's: the epochs before the checkpoint come from it.
        Assert.Equal(wholeHistory.Loss, history.Loss);
        Assert.Equal(wholeHistory.ValLoss, history.ValLoss);
    }

    [Fact]
    public async Task Bad_arguments_fail_with_exceptions_that_name_them()
    {
        var (x, y) = Sine();
        Assert.Equal("layer", Assert.Throws<ArgumentException>(() => new Sequential(1) { new Lstm(4), new Gru(4) }).ParamName);
        Assert.Equal("layer", Assert.Throws<ArgumentException>(() => new Sequential(1) { new Dense(4), new Embedding(10, 4) }).ParamName);
        Assert.Equal("units", Assert.Throws<ArgumentOutOfRangeException>(() => new Lstm(0)).ParamName);
        Assert.Equal("rate", Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(1.5)).ParamName);
        Assert.Equal("learningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(learningRate: -1)).ParamName);

        var uncompiled = new Sequential(1) { new Lstm(4), new Dense(1) };
        await Assert.ThrowsAsync<InvalidOperationException>(() => uncompiled.FitAsync(x, y));
        Assert.Throws<InvalidOperationException>(() => uncompiled.Predict(x));
        Assert.Equal("loss", Assert.Throws<ArgumentException>(() => uncompiled.Compile(new Adam(), "hinge")).ParamName);
        Assert.Equal("metrics", Assert.Throws<ArgumentException>(() => uncompiled.Compile(new Adam(), "mse", ["f1"])).ParamName);

        var model = Seed();
        Assert.Equal("x", (await Assert.ThrowsAsync<ArgumentException>(() => model.FitAsync(new float[Samples, Timesteps, 3], y))).ParamName);
        Assert.Equal("y", (await Assert.ThrowsAsync<ArgumentException>(() => model.FitAsync(x, new float[Samples - 1, 1]))).ParamName);
        Assert.Equal("y", (await Assert.ThrowsAsync<ArgumentException>(() => model.FitAsync(x, new float[Samples, 2]))).ParamName);
        Assert.Equal("epochs", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => model.FitAsync(x, y, epochs: 0))).ParamName);
        Assert.Equal("validationSplit", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => model.FitAsync(x, y, validationSplit: 1))).ParamName);
        Assert.Throws<InvalidOperationException>(() => model.Add(new Dense(1)));
        Assert.Equal("folder", Assert.Throws<ArgumentException>(() => Sequential.Load(Path.GetTempPath())).ParamName);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Keeps every report as it comes (Progress&lt;T&gt; would post them to the thread pool, out of order).</summary>
    private sealed class Recorder(List<EpochProgress> seen, Action<EpochProgress>? then = null) : IProgress<EpochProgress>
    {
        public void Report(EpochProgress value)
        {
            lock (seen) seen.Add(value);
            then?.Invoke(value);
        }
    }
}

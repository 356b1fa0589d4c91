// A cluster fit: this program is the coordinator of an Akka.NET cluster and trains the seed's model on the
// workers that join it. With no arguments it also hosts one worker itself, in an actor system of its own made
// through Akka.Hosting (WithRnnWorker), as any Akka.NET application can; `--workers-elsewhere` waits for
// `rnn-worker --seed-nodes akka.tcp://rnn-cluster@127.0.0.1:4053` processes instead.
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RnnCluster;

const int Port = 4053, Samples = 240, Timesteps = 12;
bool hostWorker = !args.Contains("--workers-elsewhere");
var x = new float[Samples, Timesteps, 1];
var y = new float[Samples, 1];
for (int i = 0; i < Samples; i++)
{
    for (int t = 0; t < Timesteps; t++) x[i, t, 0] = MathF.Sin(0.3f * (i + t));
    y[i, 0] = MathF.Sin(0.3f * (i + Timesteps));
}

IHost? worker = null;
if (hostWorker)
{
    var builder = Host.CreateApplicationBuilder();
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.Services.AddAkka(WorkerHosting.SystemName, akka => akka
        .ConfigureLoggers(loggers => loggers.LogLevel = Akka.Event.LogLevel.WarningLevel)
        .WithRemoting(new RemoteOptions { HostName = "127.0.0.1", Port = 0 })
        .WithClustering(new ClusterOptions { Roles = [WorkerHosting.Role], SeedNodes = [$"akka.tcp://{WorkerHosting.SystemName}@127.0.0.1:{Port}"] })
        .WithRnnWorker());
    worker = builder.Build();
    await worker.StartAsync();
}

var model = new Sequential(inputSize: 1) { new Lstm(50), new Dropout(0.2), new Dense(1) };
model.Compile(new Adam(learningRate: 0.001), loss: "mse");
var progress = new Progress<EpochProgress>(e => Console.WriteLine($"epoch {e.Epoch}/{e.Epochs}: loss {e.Loss:0.000000} on {e.Workers} worker(s)"));
var history = await model.FitAsync(x, y, epochs: 10, batchSize: 32,
    options: new FitOptions { Seed = 42, Cluster = new ClusterFit("127.0.0.1", Port, MinWorkers: 1) }, progress: progress);
Console.WriteLine($"trained {history.Loss.Count} epochs on the cluster: loss {history.Loss[^1]:0.000000}");
if (worker is not null) await worker.StopAsync();

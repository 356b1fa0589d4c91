using System.Collections.Concurrent;
using System.Net.Sockets;
using Akka.Actor;
using Microsoft.Extensions.Hosting;
using Rnn.Math.Config;
using RnnCluster.Coordinator.Cluster;
using RnnCluster.Coordinator.Training;
using RnnCluster.Tests.Actors;
using RnnCluster.Shared;
using RnnCluster.Worker;
using RnnCluster.Shared.DataPlane;
using RnnCluster.Shared.Hosting;
using RnnCluster.Shared.Protocol;
using RnnCluster.Shared.Serialization;
using Rnn.Math.LayerTypes;

namespace RnnCluster.Tests.Cluster;

/// <summary>A coordinator and worker actor systems joined over real TCP on 127.0.0.1, in one process.</summary>
public class ClusterTrainingTests
{
    [Fact(Timeout = 180_000)]
    public async Task Workers_in_other_actor_systems_over_tcp_give_the_local_weights_bitwise()
    {
        var job = TestJobs.StackedLstmGru();
        var local = await TrainingSession.RunLocalAsync(job, workers: 1);
        var clustered = await TrainOverTcp(job, workers: 2);
        Assert.Equal(local.Weights, clustered.Weights);
        Assert.Equal(2, clustered.Epochs[^1].Workers);
    }

    [Fact(Timeout = 180_000)]
    public async Task A_model_larger_than_the_frame_size_trains_over_tcp()
    {
        var model = new ModelConfig(1000, [new DenseConfig(1500)]);
        var training = new TrainingConfig(Epochs: 1, BatchSize: 4, Shuffle: false, GroupSize: 2);
        var job = TrainingJob.Create(model, training, TestJobs.RandomSet(8, 1, 1000, 1500, seed: 5), null);
        Assert.True(job.InitialWeights.Length * sizeof(float) > WireFormat.MaximumFrameSizeBytes);

        var local = await TrainingSession.RunLocalAsync(job, workers: 1);
        var clustered = await TrainOverTcp(job, workers: 1);
        Assert.Equal(local.Weights, clustered.Weights);
    }

    [Fact(Timeout = 180_000)]
    public async Task A_malformed_frame_on_the_data_plane_is_refused_and_the_job_goes_on_with_the_same_bits()
    {
        var job = TestJobs.StackedLstmGru(epochs: 2);
        var local = await TrainingSession.RunLocalAsync(job, workers: 1);
        var refused = new TaskCompletionSource<bool>();
        var observer = new StepObserver((step, start) =>
        {
            // Mid-run, a connection with the job's token and a worker's id sends the root of the round in flight
            // at an offset past the gradient's end.
            if (step.Minibatch != 2 || refused.Task.IsCompleted) return;
            refused.TrySetResult(SendsMalformedRootAndIsCutOff(start));
        });
        var clustered = await TrainOverTcp(job, workers: 2, new SessionOptions(Observer: observer), jobs: observer);
        Assert.True(await refused.Task);
        Assert.Equal(local.Weights, clustered.Weights);
    }

    /// <summary>True when the coordinator closes the connection after the frame, without reading a payload past it.</summary>
    private static bool SendsMalformedRootAndIsCutOff(StartJob start)
    {
        var (node, sink) = DataPlaneEndpoint.Split(start.CoordinatorEndpoint);
        var (host, port) = DataPlaneEndpoint.Parse(node);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        socket.Connect(host, port);
        var bytes = new byte[Hello.Size + Frame.Size];
        new Hello(start.Token, start.WorkerId, sink).Write(bytes);
        Frame.Partial(long.MaxValue, 0, 0, (long)Segments.Floats * 1000, 8).Write(bytes.AsSpan(Hello.Size));
        socket.Send(bytes);
        socket.ReceiveTimeout = 30_000;
        try
        {
            return socket.Receive(new byte[1]) == 0;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode == SocketError.ConnectionReset;
        }
    }

    [Fact(Timeout = 180_000)]
    public async Task Malformed_frames_both_ways_over_tcp_are_refused_and_the_weights_are_the_local_ones()
    {
        var job = TestJobs.StackedLstmGru();
        var local = await TrainingSession.RunLocalAsync(job, workers: 1);
        var refusals = new RefusalRecorder();
        var session = new SessionOptions(Observer: refusals) { Faults = new TestFaults(WeightsOffsetVersion: 3) };

        var clustered = await TrainOverTcp(job, workers: 2, session, new TestFaults(GradientOffsetRound: 1));

        Assert.Equal(local.Weights, clustered.Weights);
        Assert.Contains(refusals.Lines, line => line.StartsWith("refused a frame", StringComparison.Ordinal)
            && line.Contains(" from worker akka.tcp://", StringComparison.Ordinal) && line.Contains(": frame Partial part 0 tag 1 ", StringComparison.Ordinal));
        Assert.Contains(refusals.Lines, line => line.Contains(" refused frame Weights part 0 tag 3 ", StringComparison.Ordinal));
    }

    private sealed class RefusalRecorder : ISessionObserver
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public IReadOnlyCollection<string> Lines => _lines;

        public void MessageRefused(string address, string description) => _lines.Enqueue(description);
    }

    private static async Task<TrainingResult> TrainOverTcp(TrainingJob job, int workers, SessionOptions? session = null, TestFaults? workerFaults = null, StepObserver? jobs = null)
    {
        int port = LoopbackPort.Free();
        string seed = $"akka.tcp://{ActorSystemSettings.SystemName}@127.0.0.1:{port}";
        var coordinator = TrainingSession.RunClusterAsync(job, new ClusterOptions(new NodeOptions("127.0.0.1", port, null, []), workers),
            session ?? SessionOptions.Default, CancellationToken.None);
        var hosts = Enumerable.Range(0, workers)
            .Select(_ => ClusterNode.Build(new NodeOptions("127.0.0.1", 0, null, [seed]), ClusterNode.WorkerRole, system =>
            {
                system.ActorOf(WorkerActor.Props(threads: 1, workerFaults), WorkerActor.Name);
                if (jobs is not null) system.EventStream.Subscribe(system.ActorOf(Props.Create(() => new JobListener(jobs))), typeof(JobAccepted));
            }))
            .ToList();
        try
        {
            foreach (var host in hosts) await host.StartAsync();
            return await coordinator;
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.StopAsync();
                host.Dispose();
            }
        }
    }

    /// <summary>Hands each step to the test with the job as a worker received it (its token and the coordinator's endpoint).</summary>
    private sealed class StepObserver(Action<StepProgress, StartJob>? onStep) : ISessionObserver
    {
        public StartJob? Job { get; set; }

        public void StepDone(StepProgress step)
        {
            if (Job is { } job) onStep?.Invoke(step, job);
        }
    }

    private sealed class JobListener : ReceiveActor
    {
        public JobListener(StepObserver observer) => Receive<JobAccepted>(accepted => observer.Job = accepted.Job);
    }
}

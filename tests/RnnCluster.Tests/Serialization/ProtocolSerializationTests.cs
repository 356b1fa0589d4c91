using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using Akka.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Rnn.Math.Config;
using Rnn.Math.Losses;
using RnnCluster.Tests.Actors;
using RnnCluster.Shared.Hosting;
using RnnCluster.Shared.Protocol;
using RnnCluster.Shared.Serialization;

namespace RnnCluster.Tests.Serialization;

/// <summary>The control messages through the serializer every node uses (Hyperion with the protocol's allowed types).</summary>
public sealed class ProtocolSerializationTests : IAsyncLifetime
{
    private readonly ActorSystem _system = ActorSystem.Create("serialization", ActorSystemSettings.Setup(ActorSystemSettings.Base));

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _system.Terminate();

    public static TheoryData<IProtocolMessage> Messages()
    {
        var job = TestJobs.StackedLstmGru();
        var id = Guid.NewGuid();
        return new TheoryData<IProtocolMessage>
        {
            new StartJob(id, WorkerJob.Of(job.Model, job.Training), new DataShape(37, 11, 6, 2, 1), Guid.NewGuid(), "127.0.0.1:4100#3", 2),
            new ComputeGradients(id, 7, 1, 6, 10, 5, 1, [0, 2, 5], ["127.0.0.1:4100#1", "local:2#7"], [4, 9, 1, 3, 8, 0]),
            new ComputeValidationLoss(id, 8, 6, 6, 3, 6),
            new JobFinished(id),
            new WorkerReady(id, "worker-2:39111#1"),
            new DataReceived(id),
            new GradientsComputed(id, 7, [new PartialSum(1, 1, new LossSums(0.25, 3, 0.5, 1e-300)), new PartialSum(0, 4, new LossSums(1e-300, 0, 0, 0))], 12.5),
            new ValidationLossComputed(id, 8, [new PartialSum(2, 0, new LossSums(3.5, 0, 0, 0))], 1),
            new ShardFailed(id, 7, "shape mismatch"),
            new FrameRefused(id, 3, "frame Partial: not a segment"),
        };
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_control_message_round_trips_through_hyperion(IProtocolMessage message)
    {
        var serializer = _system.Serialization.FindSerializerFor(message);
        Assert.IsType<ProtocolSerializer>(serializer);
        var back = _system.Serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, message.GetType());
        Assert.Equal(JsonSerializer.Serialize(message, message.GetType()), JsonSerializer.Serialize(back, back.GetType()));
    }

    [Fact]
    public void The_job_message_carries_the_model_and_what_a_worker_computes_with()
    {
        var job = TestJobs.StackedLstmGru();
        var start = WorkerJob.Of(job.Model, job.Training with { Epochs = 99, ClipNorm = 3 });
        Assert.Equal(start, WorkerJob.Of(job.Model, job.Training));
        Assert.Equal(job.Model.ToJson().ToJsonString(), start.ParseModel().ToJson().ToJsonString());
    }

    [Fact]
    public void Every_protocol_message_is_a_known_type_of_the_serializer()
    {
        var messages = typeof(IProtocolMessage).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(IProtocolMessage).IsAssignableFrom(t)).ToHashSet();
        Assert.Contains(typeof(ComputeGradients), messages);
        Assert.Subset(ProtocolTypes.All.ToHashSet(), messages);
    }

    [Fact]
    public void The_serializer_refuses_a_type_that_runs_code_when_built()
    {
        var serializer = (ProtocolSerializer)_system.Serialization.FindSerializerForType(typeof(IProtocolMessage));
        Assert.True(serializer.Settings.DisallowUnsafeType);
        var unsafeSettings = HyperionSerializerSettings.Default.WithDisallowUnsafeType(false);
        var bytes = new HyperionSerializer((ExtendedActorSystem)_system, unsafeSettings).ToBinary(new DirectoryInfo("/tmp"));
        var refused = Assert.IsType<UndecodableMessage>(serializer.FromBinary(bytes, typeof(object)));
        Assert.Equal((ProtocolSerializer.Manifest, Guid.Empty), (refused.Manifest, refused.JobId));
    }

    [Fact]
    public void Bytes_it_cannot_read_reach_the_recipient_as_an_undecodable_message_naming_why()
    {
        var serializer = (ProtocolSerializer)_system.Serialization.FindSerializerForType(typeof(IProtocolMessage));
        var bytes = serializer.ToBinary(new GradientsComputed(Guid.NewGuid(), 3, [new PartialSum(1, 0, new LossSums(2.5, 0, 0, 0))], 1));

        var truncated = Assert.IsType<UndecodableMessage>(serializer.FromBinary(bytes[..^5], typeof(object)));
        var unknown = Assert.IsType<UndecodableMessage>(serializer.FromBinary([0xFF, 0xFF, 0xFF, 0x7F, 1, 2, 3], typeof(object)));

        Assert.All(new[] { truncated, unknown }, refused => Assert.False(string.IsNullOrWhiteSpace(refused.Reason)));
    }

    /// <summary>
    /// The programs' nodes and an application hosting a worker register the serializer through Akka.Hosting, with the
    /// settings of the one a local run gets from its setup: the same identifier and Hyperion options on every node.
    /// </summary>
    [Fact]
    public async Task Hosted_nodes_get_the_same_serializer_through_akka_hosting()
    {
        using var node = ClusterNode.Build(new NodeOptions("127.0.0.1", 0, null, []), ClusterNode.WorkerRole, _ => { });
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddAkka(WorkerHosting.SystemName, akka => akka.WithRnnWorker());
        using var application = builder.Build();
        var local = (ProtocolSerializer)_system.Serialization.FindSerializerForType(typeof(IProtocolMessage));
        foreach (var host in new[] { node, application })
        {
            var system = host.Services.GetRequiredService<ActorSystem>();
            var serializer = Assert.IsType<ProtocolSerializer>(system.Serialization.FindSerializerForType(typeof(StartJob)));
            Assert.Equal(WireFormat.SerializerId, serializer.Identifier);
            Assert.Equal((local.Settings.DisallowUnsafeType, local.Settings.PreserveObjectReferences, local.Settings.VersionTolerance, local.Settings.KnownTypesProvider),
                (serializer.Settings.DisallowUnsafeType, serializer.Settings.PreserveObjectReferences, serializer.Settings.VersionTolerance, serializer.Settings.KnownTypesProvider));
            await system.Terminate();
        }
        Assert.Equal((true, false, false, typeof(ProtocolTypes)),
            (local.Settings.DisallowUnsafeType, local.Settings.PreserveObjectReferences, local.Settings.VersionTolerance, local.Settings.KnownTypesProvider));
    }
}

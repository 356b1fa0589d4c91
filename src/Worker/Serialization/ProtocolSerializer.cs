using Akka.Actor;
using Akka.Serialization;
using Rnn.Math;
using Rnn.Math.Config;
using RnnCluster.Worker.Protocol;

namespace RnnCluster.Worker.Serialization;

/// <summary>
/// The binary wire format of every protocol message: a version byte, then the fields in declaration order,
/// little-endian; tensors and index arrays as a length and their raw bytes (no per-element overhead).
/// Bytes it cannot read (another wire version, an unknown manifest, a body too short or too long, a model that
/// does not parse) become an <see cref="UndecodableMessage"/> delivered to the recipient with its sender, which
/// refuses it as it refuses a message that reads but does not fit; it never throws on receipt. Whether a
/// message fits (offsets, lengths, tree nodes, job and round) is checked where it is accepted, not here:
/// <c>Round</c> on the coordinator, <see cref="Compute.JobReplica"/> on the worker.
/// </summary>
public sealed class ProtocolSerializer : SerializerWithStringManifest
{
    public ProtocolSerializer(ExtendedActorSystem system) : base(system)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("the wire format copies floats as raw little-endian bytes");
    }

    public override int Identifier => WireFormat.SerializerId;

    public override string Manifest(object o) => o switch
    {
        StartJob => "SJ",
        DataChunk => "DC",
        WeightsChunk => "WC",
        ComputeGradients => "CG",
        ComputeValidationLoss => "CV",
        JobFinished => "JF",
        DataReceived => "DR",
        GradientChunk => "GC",
        GradientsComputed => "GD",
        ValidationLossComputed => "VD",
        ShardFailed => "SF",
        JobRefused => "JR",
        MessageRefused => "MR",
        _ => throw new ArgumentException($"{o.GetType()} is not a protocol message", nameof(o)),
    };

    public override byte[] ToBinary(object obj)
    {
        var w = new WireWriter(obj switch
        {
            DataChunk c => 64 + c.Values.Length * sizeof(float),
            WeightsChunk c => 64 + c.Values.Length * sizeof(float),
            GradientChunk c => 64 + c.Values.Length * sizeof(float),
            ComputeGradients c => 96 + c.SampleIds.Length * sizeof(int),
            _ => 256,
        });
        w.Byte(WireFormat.Version);
        w.Guid(((IProtocolMessage)obj).JobId);
        switch (obj)
        {
            case StartJob m:
                WriteModel(w, m.Model);
                WriteTraining(w, m.Training);
                WriteShape(w, m.Shape);
                break;
            case DataChunk m:
                w.Byte((byte)m.Part);
                w.Long(m.Offset);
                w.Floats(m.Values);
                break;
            case WeightsChunk m:
                w.Long(m.Version);
                w.Int(m.Offset);
                w.Floats(m.Values);
                break;
            case ComputeGradients m:
                w.Long(m.RoundId);
                w.Int(m.Epoch);
                w.Long(m.WeightsVersion);
                w.Int(m.MinibatchSize);
                w.Int(m.GroupCount);
                w.Int(m.FirstGroup);
                w.Int(m.EndGroup);
                w.Ints(m.SampleIds);
                break;
            case ComputeValidationLoss m:
                w.Long(m.RoundId);
                w.Long(m.WeightsVersion);
                w.Int(m.GroupCount);
                w.Int(m.FirstGroup);
                w.Int(m.EndGroup);
                break;
            case JobFinished:
            case DataReceived:
                break;
            case GradientChunk m:
                w.Long(m.RoundId);
                w.Int(m.Level);
                w.Int(m.Index);
                w.Int(m.Offset);
                w.Floats(m.Values);
                break;
            case GradientsComputed m:
                w.Long(m.RoundId);
                WritePartials(w, m.Partials);
                w.Double(m.ComputeMs);
                break;
            case ValidationLossComputed m:
                w.Long(m.RoundId);
                WritePartials(w, m.Partials);
                w.Double(m.ComputeMs);
                break;
            case ShardFailed m:
                w.Long(m.RoundId);
                w.String(m.Error);
                break;
            case JobRefused m:
                w.String(m.Reason);
                break;
            case MessageRefused m:
                w.Long(m.RoundId);
                w.String(m.Reason);
                break;
            default:
                throw new ArgumentException($"{obj.GetType()} is not a protocol message", nameof(obj));
        }
        return w.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var jobId = bytes.Length >= 17 ? new Guid(bytes.AsSpan(1, 16)) : Guid.Empty;
        if (bytes.Length > 0 && bytes[0] != WireFormat.Version)
            return new UndecodableMessage(manifest, jobId, $"wire format version {bytes[0]}, this node speaks {WireFormat.Version}: run the same build everywhere");
        try
        {
            var r = new WireReader(bytes);
            r.Byte();
            r.Guid();
            var message = Read(r, jobId, manifest);
            return r.Remaining == 0 ? message : new UndecodableMessage(manifest, jobId, $"{r.Remaining} bytes past its last field");
        }
        catch (Exception e) when (e is InvalidDataException or InputException or ArgumentException or OverflowException)
        {
            return new UndecodableMessage(manifest, jobId, e.Message);
        }
    }

    private static object Read(WireReader r, Guid jobId, string manifest) => manifest switch
    {
        "SJ" => new StartJob(jobId, ReadModel(r), ReadTraining(r), ReadShape(r)),
        "DC" => new DataChunk(jobId, (DataPart)r.Byte(), r.Long(), r.Floats()),
        "WC" => new WeightsChunk(jobId, r.Long(), r.Int(), r.Floats()),
        "CG" => new ComputeGradients(jobId, r.Long(), r.Int(), r.Long(), r.Int(), r.Int(), r.Int(), r.Int(), r.Ints()),
        "CV" => new ComputeValidationLoss(jobId, r.Long(), r.Long(), r.Int(), r.Int(), r.Int()),
        "JF" => new JobFinished(jobId),
        "DR" => new DataReceived(jobId),
        "GC" => new GradientChunk(jobId, r.Long(), r.Int(), r.Int(), r.Int(), r.Floats()),
        "GD" => new GradientsComputed(jobId, r.Long(), ReadPartials(r), r.Double()),
        "VD" => new ValidationLossComputed(jobId, r.Long(), ReadPartials(r), r.Double()),
        "SF" => new ShardFailed(jobId, r.Long(), r.String()),
        "JR" => new JobRefused(jobId, r.String()),
        "MR" => new MessageRefused(jobId, r.Long(), r.String()),
        _ => throw new InvalidDataException($"unknown protocol manifest '{manifest}'"),
    };

    /// <summary>The model as its config JSON: each layer type writes and reads its own fields, so a new type needs no wire change.</summary>
    private static void WriteModel(WireWriter w, ModelConfig model) => w.String(model.ToJson().ToJsonString());

    private static ModelConfig ReadModel(WireReader r) => ConfigLoader.ParseModel(r.String(), "StartJob model");

    private static void WriteTraining(WireWriter w, TrainingConfig t)
    {
        w.Int(t.Epochs);
        w.Int(t.BatchSize);
        w.Byte((byte)t.Loss);
        w.Bool(t.Shuffle);
        w.Long((long)t.Seed);
        w.Float(t.ClipNorm);
        var o = t.OptimizerOrDefault;
        w.Byte((byte)o.Type);
        w.Float(o.LearningRate);
        w.Float(o.Beta1);
        w.Float(o.Beta2);
        w.Float(o.Epsilon);
        w.Float(o.Momentum);
        w.Int(t.TruncatedBptt);
        w.Int(t.GroupSize);
    }

    private static TrainingConfig ReadTraining(WireReader r) => new(
        Epochs: r.Int(),
        BatchSize: r.Int(),
        Loss: (LossKind)r.Byte(),
        Shuffle: r.Bool(),
        Seed: (ulong)r.Long(),
        ClipNorm: r.Float(),
        Optimizer: new OptimizerConfig((OptimizerKind)r.Byte(), r.Float(), r.Float(), r.Float(), r.Float(), r.Float()),
        TruncatedBptt: r.Int(),
        GroupSize: r.Int());

    private static void WriteShape(WireWriter w, DataShape s)
    {
        w.Int(s.TrainSamples);
        w.Int(s.ValidationSamples);
        w.Int(s.Timesteps);
        w.Int(s.InputSize);
        w.Int(s.TargetsPerSample);
    }

    private static DataShape ReadShape(WireReader r) => new(r.Int(), r.Int(), r.Int(), r.Int(), r.Int());

    private static void WritePartials(WireWriter w, PartialSum[] partials)
    {
        w.Int(partials.Length);
        foreach (var p in partials)
        {
            w.Int(p.Level);
            w.Int(p.Index);
            w.Double(p.Loss);
        }
    }

    private static PartialSum[] ReadPartials(WireReader r)
    {
        var partials = new PartialSum[r.Count(4 + 4 + 8)];
        for (int i = 0; i < partials.Length; i++)
            partials[i] = new PartialSum(r.Int(), r.Int(), r.Double());
        return partials;
    }
}

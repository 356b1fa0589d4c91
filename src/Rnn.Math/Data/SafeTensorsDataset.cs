using Rnn.Math.Config;
using Rnn.Math.LayerTypes;
using Rnn.Math.Weights;

namespace Rnn.Math.Data;

/// <summary>
/// A `safetensors` data source: tensors `x` [N, T, I] (or [N, T] for one feature, token ids for an embedding) and
/// `y` [N, O] or [N, T, O], all finite, float32 or integers; for crossentropy `y` holds class ids, [N] or [N, 1]
/// for one a sequence, [N, T] or [N, T, 1] for one a step. An optional `lengths` [N] gives each sample's real steps,
/// 1..T: the steps after them are padding, whose targets are not read. Float32 tensors are memory-mapped, not
/// copied (<see cref="SafeTensors.Map"/>): the checks read them once, and training reads them in place.
/// </summary>
public static class SafeTensorsDataset
{
    private const string Layout = "a dataset holds x [samples, timesteps, features] and y [samples, outputs] or [samples, timesteps, outputs]";

    public static Dataset Load(string path, int inputSize, LossKind loss, float validationSplit, EmbeddingConfig? embedding, Action<DatasetSize> beforeAllocating)
    {
        var file = SafeTensors.Map(path);
        string name = file.FileName;
        var x = Inputs(file, inputSize, tokens: embedding is not null);
        if (!file.Contains("y")) throw new InputException($"{name}: no tensor \"y\"; {Layout}");
        int samples = x.Shape[0], timesteps = x.Shape[1], features = x.Shape[2];
        var y = Targets(name, file.Get("y"), loss, samples, timesteps);
        if (y.Shape.Length is not (2 or 3)) throw WrongShape(name, y, "rank 2 [samples, outputs] or rank 3 [samples, timesteps, outputs]");
        if (y.Shape[0] != samples)
        {
            throw new InputException($"{name}: tensor \"y\" has {y.Shape[0]} samples but tensor \"x\" has {samples}");
        }
        bool sequence = y.Shape.Length == 3;
        if (sequence && y.Shape[1] != timesteps)
        {
            throw new InputException($"{name}: tensor \"y\" has {y.Shape[1]} timesteps but tensor \"x\" has {timesteps}");
        }
        y.RequireFinite(name);
        var lengths = Lengths(file, samples, timesteps);
        if (embedding is not null) RequireIds(name, x, embedding.InputDim);
        bool Real(int s, int t) => (lengths is null || t < lengths[s]) && !(embedding is { MaskZero: true } && x.Data.Span[s * timesteps + t] == 0f);
        int targets = y.Shape[^1];
        int classes = loss == LossKind.CrossEntropy ? ClassCount(name, y, sequence ? Real : (_, _) => true) : 0;
        int train = ValidationSplit.RequireTrainCount(samples, validationSplit, "samples");
        beforeAllocating(new DatasetSize(samples, train, timesteps, features) { Mapped = x.Mapped && y.Mapped });
        return new Dataset(x.Data, y.Data, samples, timesteps, features, targets, sequence, train)
        {
            Classes = classes,
            Lengths = lengths,
            MappedFile = x.Mapped && y.Mapped ? Path.GetFullPath(path) : null,
        };
    }

    /// <summary>
    /// `y` as the engine reads it: class ids of crossentropy given as [N] become [N, 1], and [N, T] (T &gt; 1) become
    /// [N, T, 1], the shapes PyTorch's CrossEntropyLoss and Keras's sparse cross-entropy take.
    /// </summary>
    private static NamedTensor Targets(string file, NamedTensor y, LossKind loss, int samples, int timesteps)
    {
        if (loss != LossKind.CrossEntropy) return y;
        if (y.Shape.Length == 1) return y with { Shape = [y.Shape[0], 1] };
        if (y.Shape.Length == 2 && y.Shape[1] != 1)
        {
            if (y.Shape[0] == samples && y.Shape[1] != timesteps)
                throw WrongShape(file, y, $"class ids [samples] or [samples, 1] for one a sequence, [samples, timesteps] = [{samples}, {timesteps}] for one a step");
            return y with { Shape = [y.Shape[0], y.Shape[1], 1] };
        }
        return y;
    }

    /// <summary>`lengths` [N] (or [N, 1]): integers 1..T; null when the file has none.</summary>
    public static float[]? Lengths(SafeTensorsFile file, int samples, int timesteps)
    {
        if (!file.Contains("lengths")) return null;
        var tensor = file.Get("lengths");
        if (!(tensor.Shape.Length == 1 || tensor.Shape is [_, 1]) || tensor.Shape[0] != samples)
            throw WrongShape(file.FileName, tensor, $"[samples] = [{samples}], one length a sample");
        var values = tensor.Data.Span;
        for (int s = 0; s < values.Length; s++)
        {
            if (!(values[s] >= 1f && values[s] <= timesteps && values[s] == MathF.Floor(values[s])))
                throw new InputException($"{file.FileName}: tensor \"lengths\" holds {values[s]} for sample {s}, expected a whole number of steps from 1 to {timesteps} (the timesteps of x)");
        }
        return values.ToArray();
    }

    /// <summary>Every token id of x must be a row of the embedding: an integer in [0, inputDim).</summary>
    public static void RequireIds(string file, NamedTensor x, int vocabulary)
    {
        var values = x.Data.Span;
        int timesteps = x.Shape[1];
        for (int i = 0; i < values.Length; i++)
        {
            if (!(values[i] >= 0f && values[i] < vocabulary && values[i] == MathF.Floor(values[i])))
                throw new InputException($"{file}: tensor \"x\" holds token id {values[i]} at sample {i / timesteps}, step {i % timesteps}: expected an integer in [0, {vocabulary}) (model.layers[0].inputDim)");
        }
    }

    /// <summary>
    /// The file's `x` [N, T, I], checked: rank 3, no empty dimension, I = <paramref name="inputSize"/>, every value finite.
    /// Token ids (<paramref name="tokens"/>) may also come as [N, T].
    /// </summary>
    public static NamedTensor Inputs(SafeTensorsFile file, int inputSize, bool tokens)
    {
        string name = file.FileName;
        if (!file.Contains("x")) throw new InputException($"{name}: no tensor \"x\"; {Layout}");
        var x = file.Get("x");
        if (x.Shape.Length == 2 && tokens) x = x with { Shape = [x.Shape[0], x.Shape[1], 1] };
        if (x.Shape.Length != 3) throw WrongShape(name, x, tokens ? "[samples, timesteps] or [samples, timesteps, 1] token ids" : "rank 3 [samples, timesteps, features]");
        if (x.ElementCount == 0) throw WrongShape(name, x, "no dimension of size 0");
        if (x.Shape[2] != inputSize)
            throw new InputException($"{name}: tensor \"x\" has {x.Shape[2]} features per timestep but model.inputSize is {inputSize}");
        x.RequireFinite(name);
        return x;
    }

    private static InputException WrongShape(string file, NamedTensor tensor, string expected)
        => new($"{file}: tensor \"{tensor.Name}\" has shape {NamedTensor.Format(tensor.Shape)}, expected {expected}");

    /// <summary>For cross-entropy, y holds one class index per sample or timestep: whole numbers from 0. Padded steps are not read.</summary>
    private static int ClassCount(string file, NamedTensor y, Func<int, int, bool> real)
    {
        if (y.Shape[^1] != 1)
        {
            throw WrongShape(file, y, "one class index per sample or timestep for crossentropy (last dimension 1)");
        }
        var values = y.Data.Span;
        float max = 0f;
        int steps = y.Shape.Length == 3 ? y.Shape[1] : 1;
        for (int i = 0; i < values.Length; i++)
        {
            if (!real(i / steps, i % steps)) continue;
            if (values[i] < 0f || values[i] != MathF.Floor(values[i]))
            {
                throw new InputException(
                    $"{file}: tensor \"y\" holds {values[i]} at {y.IndexOf(i)}, expected a class index (a whole number >= 0) for crossentropy");
            }
            max = MathF.Max(max, values[i]);
        }
        return (int)max + 1;
    }
}

using Rnn.Math.Config;
using Rnn.Math.Weights;

namespace Rnn.Math.Data;

/// <summary>A `safetensors` data source: tensors `x` [N, T, I] and `y` [N, O] or [N, T, O], float32, all finite.</summary>
internal static class SafeTensorsDataset
{
    private const string Layout = "a dataset holds x [samples, timesteps, features] and y [samples, outputs] or [samples, timesteps, outputs]";

    public static Dataset Load(string path, int inputSize, LossKind loss, float validationSplit, Action<DatasetSize> beforeAllocating)
    {
        var file = SafeTensors.Read(path);
        string name = file.FileName;
        var x = Inputs(file, inputSize);
        if (!file.Contains("y")) throw new InputException($"{name}: no tensor \"y\"; {Layout}");
        var y = file.Get("y");
        if (y.Shape.Length is not (2 or 3)) throw WrongShape(name, y, "rank 2 [samples, outputs] or rank 3 [samples, timesteps, outputs]");
        int samples = x.Shape[0], timesteps = x.Shape[1], features = x.Shape[2];
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
        int targets = y.Shape[^1];
        int classes = loss == LossKind.CrossEntropy ? ClassCount(name, y) : 0;
        int train = ValidationSplit.RequireTrainCount(samples, validationSplit, "samples");
        beforeAllocating(new DatasetSize(samples, train, timesteps, features));
        return new Dataset(x.Data.ToArray(), y.Data.ToArray(), samples, timesteps, features, targets, sequence, train) { Classes = classes };
    }

    /// <summary>The file's `x` [N, T, I], checked: rank 3, no empty dimension, I = <paramref name="inputSize"/>, every value finite.</summary>
    public static NamedTensor Inputs(SafeTensorsFile file, int inputSize)
    {
        string name = file.FileName;
        if (!file.Contains("x")) throw new InputException($"{name}: no tensor \"x\"; {Layout}");
        var x = file.Get("x");
        if (x.Shape.Length != 3) throw WrongShape(name, x, "rank 3 [samples, timesteps, features]");
        if (x.ElementCount == 0) throw WrongShape(name, x, "no dimension of size 0");
        if (x.Shape[2] != inputSize)
            throw new InputException($"{name}: tensor \"x\" has {x.Shape[2]} features per timestep but model.inputSize is {inputSize}");
        x.RequireFinite(name);
        return x;
    }

    private static InputException WrongShape(string file, NamedTensor tensor, string expected)
        => new($"{file}: tensor \"{tensor.Name}\" has shape {NamedTensor.Format(tensor.Shape)}, expected {expected}");

    /// <summary>For cross-entropy, y holds one class index per sample or timestep: whole numbers from 0.</summary>
    private static int ClassCount(string file, NamedTensor y)
    {
        if (y.Shape[^1] != 1)
        {
            throw WrongShape(file, y, "one class index per sample or timestep for crossentropy (last dimension 1)");
        }
        var values = y.Data.Span;
        float max = 0f;
        for (int i = 0; i < values.Length; i++)
        {
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

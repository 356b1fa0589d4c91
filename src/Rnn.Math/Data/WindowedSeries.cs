using System.Runtime.InteropServices;
using Rnn.Math.Weights;

namespace Rnn.Math.Data;

/// <summary>
/// A dataset's samples before they are built: its shape (<see cref="Shape"/>, whose X and Y are empty) and how to cut
/// sample w's inputs and targets, windows over a series (a CSV's rows, a text's characters) or rows of arrays held
/// already. <see cref="Build"/> cuts them all into arrays; <see cref="Write"/> streams them into a safetensors file
/// and maps it, so that windows, which with a stride below their length hold each value of the series many times,
/// are never held in memory whole: only the series is.
/// </summary>
internal sealed class WindowedSeries(Dataset shape, WindowedSeries.Cut inputs, WindowedSeries.Cut targets)
{
    /// <summary>Writes sample <paramref name="sample"/>'s values into <paramref name="into"/>, which is exactly as long as they are.</summary>
    public delegate void Cut(int sample, Span<float> into);

    private readonly Cut _inputs = inputs, _targets = targets;

    public Dataset Shape { get; } = shape;

    private int InputWidth => Shape.Timesteps * Shape.Features;

    /// <summary>The samples of a dataset held in arrays already, cut from them.</summary>
    public static WindowedSeries Of(Dataset dataset)
    {
        int xWidth = dataset.Timesteps * dataset.Features, yWidth = dataset.TargetsPerSample;
        return new WindowedSeries(dataset with { X = default, Y = default },
            (w, into) => dataset.X.Span.Slice(w * xWidth, xWidth).CopyTo(into),
            (w, into) => dataset.Y.Span.Slice(w * yWidth, yWidth).CopyTo(into));
    }

    /// <summary>Every sample cut into arrays.</summary>
    public Dataset Build()
    {
        int xWidth = InputWidth, yWidth = Shape.TargetsPerSample;
        var x = new float[Shape.Samples * xWidth];
        var y = new float[Shape.Samples * yWidth];
        for (int w = 0; w < Shape.Samples; w++)
        {
            _inputs(w, x.AsSpan(w * xWidth, xWidth));
            _targets(w, y.AsSpan(w * yWidth, yWidth));
        }
        return Shape with { X = x, Y = y };
    }

    /// <summary>
    /// The training samples, then <paramref name="validation"/>'s (a validation file's, which validate), written as
    /// float32 `x` (N, T, F) and `y` (N, targets per sample) into <paramref name="path"/> one sample at a time, and
    /// mapped: the dataset's X and Y are the file's pages (<see cref="Dataset.MappedFile"/>). Lengths are the
    /// training part's: a validation part has none (CSV and text windows are whole).
    /// </summary>
    public static Dataset Write(string path, WindowedSeries train, WindowedSeries? validation)
    {
        WindowedSeries[] parts = validation is null ? [train] : [train, validation];
        var first = train.Shape;
        int samples = parts.Sum(part => part.Shape.Samples);
        SafeTensors.Write(path, [("x", [samples, first.Timesteps, first.Features]), ("y", [samples, first.TargetsPerSample])], (tensor, stream) =>
        {
            var buffer = new float[tensor == 0 ? train.InputWidth : first.TargetsPerSample];
            foreach (var part in parts)
            {
                var cut = tensor == 0 ? part._inputs : part._targets;
                for (int w = 0; w < part.Shape.Samples; w++)
                {
                    cut(w, buffer);
                    stream.Write(MemoryMarshal.AsBytes(buffer.AsSpan()));
                }
            }
        });
        var file = SafeTensors.Map(path);
        return first with
        {
            X = file.Get("x").Data,
            Y = file.Get("y").Data,
            MappedFile = path,
            Samples = samples,
            TrainCount = validation is null ? first.TrainCount : first.Samples,
            Classes = parts.Max(part => part.Shape.Classes),
        };
    }
}

using System.Globalization;
using System.Text;
using Rnn.Math;
using Rnn.Math.Config;
using Rnn.Math.Losses;
using Rnn.Math.Weights;
using RnnCluster.Coordinator.Output;
using RnnCluster.Coordinator.Plots;

namespace RnnCluster.Coordinator.Cli;

/// <summary>
/// predict: on a CSV series, one CSV row per complete window of the input, with the prediction (prediction_0... for
/// several outputs) and the actual target where the file has it, both in the data's own units; on a safetensors x,
/// the outputs of every sample, as a safetensors `y` or CSV rows. Without --output the CSV goes to stdout, so it pipes.
/// </summary>
internal static class PredictCommand
{
    public static int Run(ParsedArgs args, CliContext context)
    {
        var options = PredictOptions.From(args);
        var model = TrainedModel.Load(options.ModelDir);
        return IsSafetensors(options.Input) ? PredictTensors(model, options, context) : PredictSeries(model, options, context);
    }

    private static bool IsSafetensors(string path) => Path.GetExtension(path).Equals(".safetensors", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Every sample of x [N, T, I]: `y` in a safetensors file when --output ends in .safetensors, else CSV rows of
    /// `sample` (0-based), `timestep` for a many-to-many model, and prediction_0, .... A cross-entropy model gives
    /// class probabilities: y [N, C] or [N, T, C], and in CSV the likeliest `class` then p_0, ....
    /// </summary>
    private static int PredictTensors(TrainedModel model, PredictOptions options, CliContext context)
    {
        if (options.Plot is not null)
            throw new InputException("--plot draws a CSV series' predictions against its actual values; a safetensors input has none");
        var (outputs, shape) = model.PredictTensors(options.Input);
        if (options.Output is not null && IsSafetensors(options.Output))
        {
            SafeTensors.Write(options.Output, [new NamedTensor("y", shape, outputs)]);
        }
        else
        {
            int width = shape[^1], rowsPerSample = shape.Length == 3 ? shape[1] : 1;
            bool classes = model.Config.Training.Loss == LossKind.CrossEntropy;
            var csv = new StringBuilder(rowsPerSample > 1 ? "sample,timestep" : "sample");
            if (classes) csv.Append(",class");
            for (var k = 0; k < width; k++) csv.Append(classes ? ",p_" : ",prediction_").Append(k);
            csv.Append('\n');
            for (var row = 0; row < outputs.Length / width; row++)
            {
                var values = outputs.AsSpan(row * width, width);
                csv.Append(row / rowsPerSample);
                if (rowsPerSample > 1) csv.Append(',').Append(row % rowsPerSample);
                if (classes) csv.Append(',').Append(LossSums.ArgMax(values));
                foreach (var value in values) csv.Append(',').Append(Number(value));
                csv.Append('\n');
            }
            Write(csv.ToString(), options, context);
        }
        if (options.Output is not null && !options.Quiet)
            context.Stdout.WriteLine($"outputs {NamedTensor.Format(shape)} for {shape[0]} samples written to {options.Output}");
        return RnnClusterApp.Success;
    }

    private static int PredictSeries(TrainedModel model, PredictOptions options, CliContext context)
    {
        var windows = model.Windows(options.Input);
        var normalised = model.PredictNormalised(windows);
        var outputs = model.Network.OutputSize;
        var predictions = normalised.Select(windows.ToDataUnits).ToArray();

        var csv = new StringBuilder();
        var predictionHeader = outputs == 1 ? "prediction" : string.Join(',', Enumerable.Range(0, outputs).Select(k => $"prediction_{k}"));
        csv.Append("target_line,").Append(predictionHeader).Append(",actual\n");
        for (var w = 0; w < windows.Windows; w++)
        {
            csv.Append(windows.TargetLines[w] > 0 ? windows.TargetLines[w].ToString(CultureInfo.InvariantCulture) : "");
            for (var k = 0; k < outputs; k++) csv.Append(',').Append(Number(predictions[w * outputs + k]));
            csv.Append(',').Append(float.IsNaN(windows.Actual[w]) ? "" : Number(windows.Actual[w])).Append('\n');
        }

        Write(csv.ToString(), options, context);

        if (options.Plot is not null)
        {
            var first = Enumerable.Range(0, windows.Windows).Select(w => (double)predictions[w * outputs]).ToArray();
            var actual = windows.Actual.Select(a => float.IsNaN(a) ? (double?)null : a).ToArray();
            PredictionPlot.Save(options.Plot, model.Target, first, actual);
        }

        if (options.Output is not null && !options.Quiet)
        {
            var written = options.Plot is null ? options.Output : $"{options.Output} and {options.Plot}";
            context.Stdout.WriteLine($"{windows.Windows} predictions of {model.Target} written to {written}");
        }
        return RnnClusterApp.Success;
    }

    /// <summary>The CSV to --output, or to stdout without it, so it pipes.</summary>
    private static void Write(string csv, PredictOptions options, CliContext context)
    {
        if (options.Output is null) context.Stdout.Write(csv);
        else AtomicFile.WriteAllText(options.Output, csv);
    }

    private static string Number(float value) => value.ToString("G7", CultureInfo.InvariantCulture);
}

using System.Globalization;
using System.Text;
using Rnn.Math;
using RnnCluster.Coordinator.Plots;

namespace RnnCluster.Coordinator.Cli;

/// <summary>
/// predict: one CSV row per complete window of the input, with the prediction (prediction_0... for several
/// outputs) and the actual target where the file has it, both in the data's own units. Without --output the
/// CSV goes to stdout, so it pipes.
/// </summary>
internal static class PredictCommand
{
    public static int Run(ParsedArgs args, CliContext context)
    {
        var options = PredictOptions.From(args);
        if (Path.GetExtension(options.Input).Equals(".safetensors", StringComparison.OrdinalIgnoreCase))
            throw new InputException($"--input {options.Input}: predict reads a CSV series; to score a safetensors test set, use evaluate");
        var model = TrainedModel.Load(options.ModelDir);
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

        if (options.Output is null) context.Stdout.Write(csv.ToString());
        else AtomicFile.WriteAllText(options.Output, csv.ToString());

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

    private static string Number(float value) => value.ToString("G7", CultureInfo.InvariantCulture);
}

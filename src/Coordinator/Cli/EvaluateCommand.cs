using System.Globalization;
using System.Text.Json;
using Rnn.Math;
using Rnn.Math.Config;
using Rnn.Math.Data;

namespace RnnCluster.Coordinator.Cli;

/// <summary>
/// evaluate: how well the model predicts the input's known targets. The loss is the training loss, on
/// normalised values as training reports it; RMSE and MAE are in the data's own units, next to the RMSE of
/// the persistence baseline (next value = last value) when the target is one of the inputs. The last line
/// is the same as one JSON object, for scripts.
/// </summary>
internal static class EvaluateCommand
{
    public static int Run(ParsedArgs args, CliContext context)
    {
        var options = PredictOptions.From(args);
        var model = TrainedModel.Load(options.ModelDir);
        if (model.Network.OutputSize != 1)
            throw new InputException($"--model: evaluate compares one output with the target; this model has {model.Network.OutputSize}");
        var windows = model.Windows(options.Input);
        var normalised = model.PredictNormalised(windows);

        var known = Enumerable.Range(0, windows.Windows).Where(w => !float.IsNaN(windows.Actual[w])).ToArray();
        if (known.Length == 0)
            throw new InputException($"--input {options.Input}: no window has a known {model.Target} {model.Config.Data.Horizon} step(s) ahead to compare with");

        var errors = known.Select(w => (double)windows.ToDataUnits(normalised[w]) - windows.Actual[w]).ToArray();
        var normalisedErrors = known.Select(w => (double)normalised[w] - model.Scaling.Target.Apply(windows.Actual[w])).ToArray();
        var result = new EvaluationResult(
            known.Length,
            model.Config.Training.Loss == LossKind.Mae ? normalisedErrors.Average(System.Math.Abs) : normalisedErrors.Average(e => e * e),
            System.Math.Sqrt(errors.Average(e => e * e)),
            errors.Average(System.Math.Abs),
            PersistenceRmse(model, windows, known));

        var lossName = model.Config.Training.Loss.ToString().ToLowerInvariant();
        var baseline = result.PersistenceRmse is { } p ? string.Create(CultureInfo.InvariantCulture, $"  (persistence baseline rmse {p:G5})") : "";
        context.Stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{result.Windows} windows  loss {result.Loss:G5} ({lossName}, normalised)  rmse {result.Rmse:G5}  mae {result.Mae:G5} ({model.Target}){baseline}"));
        context.Stdout.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
        return RnnClusterApp.Success;
    }

    /// <summary>The RMSE of predicting each target by the window's last value of the target column.</summary>
    private static double? PersistenceRmse(TrainedModel model, PredictionWindows windows, int[] known)
    {
        var column = model.Config.Data.Columns!.ToList().IndexOf(model.Target);
        if (column < 0) return null;
        var scaling = windows.Scaling.Features[column];
        var squares = known.Select(w =>
        {
            var last = windows.X[((w * windows.Timesteps) + windows.Timesteps - 1) * windows.Features + column];
            var error = (double)scaling.Undo(last) - windows.Actual[w];
            return error * error;
        });
        return System.Math.Sqrt(squares.Average());
    }

    private sealed record EvaluationResult(int Windows, double Loss, double Rmse, double Mae, double? PersistenceRmse);
}

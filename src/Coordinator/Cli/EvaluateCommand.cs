using System.Globalization;
using Rnn.Math;
using Rnn.Math.Config;
using Rnn.Math.Data;
using Rnn.Math.Losses;
using RnnCluster.Coordinator.Output;

namespace RnnCluster.Coordinator.Cli;

/// <summary>
/// evaluate: how well the model predicts the input's known targets. The loss is the training loss, on
/// normalised values as training reports it; RMSE and MAE are in the data's own units, next to the RMSE of
/// the persistence baseline (next value = last value) when the target is one of the inputs. When the model was
/// trained with a validation split, the same figures follow for the input's last windows in that proportion:
/// on the training file, exactly the windows training held out. Each of the run's `training.metrics` follows
/// (accuracy on normalised values, as training logs it; mae, mse and rmse in the data's units). The last line is
/// the same as one JSON object, for scripts; `--json` (or `--quiet`) prints only that line.
/// </summary>
internal static class EvaluateCommand
{
    public static int Run(ParsedArgs args, CliContext context)
    {
        var options = PredictOptions.From(args);
        if (args.Has("--json")) options = options with { Quiet = true };
        var model = TrainedModel.Load(options.ModelDir);
        if (Path.GetExtension(options.Input).Equals(".safetensors", StringComparison.OrdinalIgnoreCase) || model.Vocabulary is not null)
            return EvaluateTensors(model, options, context);
        if (model.Network.OutputSize != 1)
            throw new InputException($"--model: evaluate compares one output with the target; this model has {model.Network.OutputSize}");
        var windows = model.Windows(options.Input);
        var normalised = model.PredictNormalised(windows);

        var known = Enumerable.Range(0, windows.Windows).Where(w => !float.IsNaN(windows.Actual[w])).ToArray();
        if (known.Length == 0)
            throw new InputException($"--input {options.Input}: no window has a known {model.Target} {model.Config.Data.Horizon} step(s) ahead to compare with");

        var all = Score(model, windows, normalised, known);
        int trainCount = ValidationSplit.TrainCount(known.Length, model.Config.Data.ValidationSplit);
        var heldOut = trainCount < known.Length && trainCount > 0 ? Score(model, windows, normalised, known[trainCount..]) : null;

        var lossName = model.Config.Training.Loss.ToString().ToLowerInvariant();
        // --quiet keeps only the final summary: the JSON line.
        var text = options.Quiet ? TextWriter.Null : context.Stdout;
        text.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{all.Windows} windows  loss {all.Loss:G5} ({lossName}, normalised)  rmse {all.Rmse:G5}  mae {all.Mae:G5} ({model.Target}){Baseline(all)}{Listed(all.Metrics)}"));
        if (heldOut is not null)
            text.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"last {heldOut.Windows} windows (the part training held out for validation, validationSplit {model.Config.Data.ValidationSplit:G3})  " +
                $"loss {heldOut.Loss:G5}  rmse {heldOut.Rmse:G5}  mae {heldOut.Mae:G5}{Baseline(heldOut)}{Listed(heldOut.Metrics)}"));
        var json = new EvaluationReport(all.Windows, all.Loss, all.Rmse, all.Mae, all.PersistenceRmse, heldOut, all.Metrics);
        context.Stdout.WriteLine(JsonLine.Of(json));
        return RnnClusterApp.Success;
    }

    /// <summary>The run's metrics after the loss on a line of text: `  accuracy 0.91`.</summary>
    private static string Listed(IReadOnlyDictionary<string, double>? metrics)
        => metrics is null ? "" : string.Concat(metrics.Select(m => string.Create(CultureInfo.InvariantCulture, $"  {m.Key} {m.Value:G5}")));

    /// <summary>A safetensors test set (x and y, as a safetensors data source holds them), any model, or a text model's text: the mean loss and metrics.</summary>
    private static int EvaluateTensors(TrainedModel model, PredictOptions options, CliContext context)
    {
        var (samples, loss, metrics) = model.Evaluate(options.Input);
        var named = Named(metrics);
        var lossName = model.Config.Training.Loss.ToString().ToLowerInvariant();
        if (!options.Quiet)
            context.Stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{samples} samples  loss {loss:G5} ({lossName}){Listed(named)}"));
        context.Stdout.WriteLine(JsonLine.Of(new TensorEvaluation(samples, loss, named)));
        return RnnClusterApp.Success;
    }

    /// <summary>null for a run without metrics, so the JSON line leaves them out.</summary>
    private static Dictionary<string, double>? Named(IEnumerable<KeyValuePair<string, double>> metrics)
        => metrics.Any() ? new Dictionary<string, double>(metrics) : null;

    /// <summary>Loss, RMSE, MAE, the persistence baseline and the run's metrics over the windows <paramref name="known"/>.</summary>
    private static EvaluationResult Score(TrainedModel model, PredictionWindows windows, float[] normalised, int[] known)
    {
        var errors = known.Select(w => (double)windows.ToDataUnits(normalised[w]) - windows.Actual[w]).ToArray();
        var outputs = known.Select(w => normalised[w]).ToArray();
        var targets = known.Select(w => windows.Scaling.Target.Apply(windows.Actual[w])).ToArray();
        var normalisedErrors = outputs.Select((output, i) => (double)output - targets[i]).ToArray();
        var inUnits = LossSums.Of(LossKind.Mse, 0, known.Select(w => windows.ToDataUnits(normalised[w])).ToArray(), known.Select(w => windows.Actual[w]).ToArray(), known.Length, 1);
        var asTrained = LossSums.Of(LossKind.Mse, 0, outputs, targets, known.Length, 1);
        var metrics = model.Config.Training.Metrics.Select(kind => KeyValuePair.Create(Metrics.Name(kind),
            Metrics.Value(kind, kind == MetricKind.Accuracy ? asTrained : inUnits, known.Length)));
        return new EvaluationResult(
            known.Length,
            model.Config.Training.Loss == LossKind.Mae ? normalisedErrors.Average(System.Math.Abs) : normalisedErrors.Average(e => e * e),
            System.Math.Sqrt(errors.Average(e => e * e)),
            errors.Average(System.Math.Abs),
            PersistenceRmse(model, windows, known),
            Named(metrics));
    }

    private static string Baseline(EvaluationResult result) => result.PersistenceRmse is { } p
        ? string.Create(CultureInfo.InvariantCulture, $"  (persistence baseline rmse {p:G5})")
        : "";

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

    /// <summary>The JSON line of a tensor test set; each metric of the run under its name.</summary>
    private sealed record TensorEvaluation(int Samples, double Loss, Dictionary<string, double>? Metrics);

    private sealed record EvaluationResult(int Windows, double Loss, double Rmse, double Mae, double? PersistenceRmse, Dictionary<string, double>? Metrics);

    /// <summary>The JSON line: every window, and the held-out tail when the model was trained with a validation split.</summary>
    private sealed record EvaluationReport(int Windows, double Loss, double Rmse, double Mae, double? PersistenceRmse, EvaluationResult? HeldOut, Dictionary<string, double>? Metrics);
}

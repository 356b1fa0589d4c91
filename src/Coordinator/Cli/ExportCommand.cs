using Rnn.Math;
using Rnn.Math.Export;
using RnnCluster.Coordinator.Output;

namespace RnnCluster.Coordinator.Cli;

/// <summary>
/// export: a model folder as an ONNX file of standard operators (see <see cref="OnnxExport"/>), for ONNX Runtime,
/// ML.NET or any other ONNX runtime. The file appears atomically; a path that cannot be written is the user's error.
/// </summary>
internal static class ExportCommand
{
    public static int Run(ParsedArgs args, CliContext context)
    {
        var folder = args.RequiredFolder("--model");
        var path = Path.GetFullPath(args.RequiredText("--onnx"));
        var model = TrainedModel.Load(folder);
        var onnx = model.ToOnnx();
        try
        {
            AtomicFile.WriteAllBytes(path, onnx);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"--onnx: cannot write '{path}': {e.Message}");
        }
        if (!args.Has("--quiet"))
        {
            var output = model.Network.OutputIsSequence ? $"[N, T, {model.Network.OutputSize}]" : $"[N, {model.Network.OutputSize}]";
            context.Stdout.WriteLine($"ONNX model (opset {OnnxExport.Opset}) written to {path}: input x [N, T, {model.Network.InputSize}], output y {output}");
        }
        return RnnClusterApp.Success;
    }
}

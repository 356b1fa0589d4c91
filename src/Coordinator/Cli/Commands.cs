namespace RnnCluster.Coordinator.Cli;

/// <summary>Every command and flag of rnn-cluster, as docs/contract.md lists them.</summary>
internal static class Commands
{
    public const string Program = "rnn-cluster";

    private static readonly FlagSpec Quiet = new("--quiet", FlagKind.Switch, "", "print only errors and the final summary");

    private static readonly FlagSpec[] ClusterFlags =
    [
        new("--cluster", FlagKind.Switch, "", "run as the coordinator of an Akka.Cluster instead of in-process workers"),
        .. NodeFlags.Specs(Cli.ClusterFlags.DefaultPort, "seed nodes to join (default: form a new cluster)"),
        new("--min-workers", FlagKind.Value, "N", "workers to wait for before training (default 1)", "RNN_MIN_WORKERS"),
    ];

    public static readonly CommandSpec Train = new(Program, "train", "train a model from a config file",
    [
        new("--config", FlagKind.Value, "FILE", "the config file (JSON)"),
        new("--out", FlagKind.Value, "DIR", "output folder (default runs/<yyyyMMdd-HHmmss>)"),
        new("--workers", FlagKind.Value, "N", "in-process workers in local mode (default: number of cores)"),
        new("--epochs", FlagKind.Value, "N", "override training.epochs"),
        new("--init-weights", FlagKind.Value, "FILE", "start from these weights (safetensors)"),
        new("--checkpoint-every", FlagKind.Value, "STEPS", "also checkpoint every STEPS minibatches (always: at each epoch's end and on SIGTERM/Ctrl+C)"),
        new("--resume", FlagKind.Value, "DIR", "continue the run in DIR from its newest valid checkpoint (config: DIR/config.json unless --config)"),
        new("--dashboard", FlagKind.Value, "[HOST:]PORT", "serve a live page of the run and Prometheus /metrics (HOST default 127.0.0.1; PORT 0: any free port)"),
        .. ClusterFlags,
        Quiet,
        FlagSpec.HelpFlag,
    ]);

    public static readonly CommandSpec Predict = new(Program, "predict", "predict with a trained model",
    [
        new("--model", FlagKind.Value, "DIR", "folder with model.json and model.safetensors"),
        new("--input", FlagKind.Value, "FILE", "data to predict on (CSV with the training columns, or safetensors x [N,T,I])"),
        new("--output", FlagKind.Value, "FILE", "CSV, or .safetensors (y) for a safetensors input, to write (default: CSV to stdout)"),
        new("--plot", FlagKind.Value, "FILE", "draw prediction against actual to this image (.png, .jpg, .bmp, .webp)"),
        Quiet,
        FlagSpec.HelpFlag,
    ]);

    public static readonly CommandSpec Evaluate = new(Program, "evaluate", "print the loss and metrics of a model on data",
    [
        new("--model", FlagKind.Value, "DIR", "folder with model.json and model.safetensors"),
        new("--input", FlagKind.Value, "FILE", "data to evaluate on (CSV with the training columns, or safetensors x and y)"),
        new("--json", FlagKind.Switch, "", "print only the last line: one JSON object with the loss and every metric"),
        Quiet,
        FlagSpec.HelpFlag,
    ]);

    public static readonly CommandSpec Generate = new(Program, "generate", "write text with a model trained on a text source",
    [
        new("--model", FlagKind.Value, "DIR", "folder with model.json and model.safetensors"),
        new("--prompt", FlagKind.Value, "TEXT", "the text to go on from (default: a newline, or the vocabulary's first character)"),
        new("--length", FlagKind.Value, "N", "characters to write after the prompt (default 200)"),
        new("--temperature", FlagKind.Value, "T", "below 1 sharper, above 1 more varied; 0 always takes the likeliest (default 1)"),
        new("--top-k", FlagKind.Value, "K", "draw among the K likeliest characters only (default: all)"),
        new("--seed", FlagKind.Value, "S", "the draws' seed: the same seed writes the same text (default 0)"),
        FlagSpec.HelpFlag,
    ]);

    public static readonly CommandSpec Export = new(Program, "export", "write a trained model as ONNX",
    [
        new("--model", FlagKind.Value, "DIR", "folder with model.json and model.safetensors"),
        new("--onnx", FlagKind.Value, "FILE", "the ONNX file to write"),
        Quiet,
        FlagSpec.HelpFlag,
    ]);

    public static readonly CommandSpec Bench = new(Program, "bench", "time training steps on random data shaped by a config",
    [
        new("--config", FlagKind.Value, "FILE", "the config file (JSON)"),
        new("--steps", FlagKind.Value, "N", "minibatches to time (default 20)"),
        new("--timesteps", FlagKind.Value, "T", "override data.timesteps"),
        new("--workers", FlagKind.Value, "N", "in-process workers in local mode (default: number of cores)"),
        new("--threads", FlagKind.Value, "N", "threads per worker (default 1)", "RNN_THREADS"),
        new("--mapped", FlagKind.Switch, "", "read the random data from a file mapped in place, as train reads its data, instead of from arrays"),
        .. ClusterFlags,
        Quiet,
        FlagSpec.HelpFlag,
    ]);

    public static readonly IReadOnlyList<CommandSpec> All = [Train, Predict, Evaluate, Generate, Export, Bench];

    /// <summary>`rnn-cluster --help`.</summary>
    public static string ProgramHelp => Usage.Program(Program,
        "train recurrent networks (RNN, LSTM, GRU) on one machine or an Akka.NET cluster", All);
}

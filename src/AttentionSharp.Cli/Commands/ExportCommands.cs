using AttentionSharp.Interop;

namespace AttentionSharp.Cli.Commands;

/// <summary><c>attn export --checkpoint RUN --format pt|safetensors [--out FILE]</c>: a checkpoint's weights as a PyTorch state_dict.</summary>
public static class ExportCommands
{
    /// <summary>The verbs of this file.</summary>
    public static Verb[] Verbs { get; } =
    [
        new(["export"], "write a checkpoint's weights as a PyTorch state_dict (.pt for torch.load, or .safetensors), with PyTorch's names where PyTorch has the layer",
            [
                new("checkpoint", "PATH", null, "checkpoint file or run folder (its best checkpoint)"),
                new OptionSpec("format", "FORMAT", "pt", "pt (torch.save zip format) or safetensors").OneOf("pt", "safetensors"),
                new("out", "FILE", null, "the weights file (default: weights.pt or weights.safetensors beside the checkpoint)"),
                new("verbose", null, null, "stack traces on errors"),
            ],
            null, a =>
            {
                string checkpoint = a.Required("checkpoint");
                var format = a.Choice("format") == "safetensors" ? WeightFormat.Safetensors : WeightFormat.Pt;
                var r = CheckpointExport.Export(checkpoint, format, a.String("out"));
                Console.WriteLine($"exported {r.Kind}: {r.Tensors} tensors, {r.Values} values ({r.Renamed} under PyTorch's names) to {r.Path}");
                Console.WriteLine(format == WeightFormat.Safetensors
                    ? "load in Python: model.load_state_dict(safetensors.torch.load_file(path))"
                    : "load in Python: model.load_state_dict(torch.load(path))");
                return 0;
            }),
    ];
}

using AttentionSharp.Models.Baselines;
using AttentionSharp.Models.DrawClassifier;
using AttentionSharp.Models.RecurrentAttention;
using AttentionSharp.Models.Segmentation;
using AttentionSharp.Models.Seq2Seq;
using AttentionSharp.Models.SpatialTransformers;
using AttentionSharp.Models.Tagging;
using AttentionSharp.Models.TextClassification;
using AttentionSharp.Training;
using TorchSharp;

namespace AttentionSharp.Interop;

/// <summary>What <see cref="CheckpointExport.Export"/> wrote.</summary>
/// <param name="Path">The weights file.</param>
/// <param name="Kind">The checkpoint's model kind (e.g. <c>seq2seq</c>).</param>
/// <param name="Tensors">Entries in the state_dict.</param>
/// <param name="Values">Numbers in all of them.</param>
/// <param name="Renamed">Entries whose PyTorch name differs from ours (attention projections stacked, Transformer layer names).</param>
public sealed record ExportResult(string Path, string Kind, int Tensors, long Values, int Renamed);

/// <summary>Writes a training checkpoint's model weights as a PyTorch state_dict (<c>attn export</c>).</summary>
public static class CheckpointExport
{
    /// <summary>
    /// Rebuilds the model a checkpoint (file or run folder) holds, of any family, from its stored options, with its weights, on the CPU.
    /// </summary>
    public static (string Path, string Kind, torch.nn.Module Module) LoadModule(string checkpoint)
    {
        string path = Directory.Exists(checkpoint) ? TextClassifierBundle.ResolvePath(checkpoint) : checkpoint;
        var kind = Checkpoint.ReadHeader(path).Kind;
        var cpu = torch.CPU;
        torch.nn.Module module = kind.Split('/')[0] switch
        {
            RamExperiment.Kind => RamExperiment.Load(path, cpu).Model,
            BaselineExperiment.Kind => BaselineExperiment.Load(path, cpu).Model,
            StnExperiment.Kind => StnExperiment.Load(path, cpu).Model,
            DrawExperiment.Kind => DrawExperiment.Load(path, cpu).Model,
            SegmentExperiment.Kind => SegmentExperiment.Load(path, cpu).Model.Module,
            TranslateExperiment.Kind => TranslateExperiment.Load(path, cpu).Translator.Network.Module,
            TextClassifierBundle.KindPrefix => TextClassifierBundle.Load(path, cpu).Classifier.Module,
            _ when kind.StartsWith(TagExperiment.KindPrefix, StringComparison.Ordinal) => TagExperiment.Load(path, cpu).Tagger.Module,
            _ => throw new CheckpointException($"'{path}' holds a '{kind}' model, which 'export' does not know how to rebuild"),
        };
        return (path, kind, module);
    }

    /// <summary>
    /// Writes the weights of <paramref name="checkpoint"/>'s model to <paramref name="output"/> (default: beside the checkpoint,
    /// <c>weights.pt</c> or <c>weights.safetensors</c>) with PyTorch's names where PyTorch has a counterpart (see <see cref="PyTorchWeights"/>).
    /// </summary>
    public static ExportResult Export(string checkpoint, WeightFormat format, string? output = null)
    {
        var (path, kind, module) = LoadModule(checkpoint);
        using (module)
        {
            output ??= System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!,
                format == WeightFormat.Safetensors ? "weights.safetensors" : "weights.pt");
            var bindings = PyTorchWeights.Bindings(module);
            var sd = PyTorchWeights.ToStateDict(module);
            try
            {
                PyTorchWeights.Write(sd, output, format);
                return new ExportResult(System.IO.Path.GetFullPath(output), kind, sd.Count, sd.Values.Sum(t => t.numel()),
                    bindings.Count(b => b.Parts.Count > 1 || b.Parts[0] != b.PyTorchName));
            }
            finally { foreach (var t in sd.Values) t.Dispose(); }
        }
    }
}

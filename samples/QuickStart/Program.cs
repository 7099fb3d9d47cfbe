using AttentionSharp.Models.Seq2Seq;
using AttentionSharp.Training;

// Trains a small attention translator (Bahdanau et al. 2015) on generated dates ("March 5, 2021" -> "2021-03-05")
// through the library's experiment API, then translates two dates with it and prints the RESULT line.
// Usage: dotnet run -- [RUN_FOLDER] [EPOCHS]
string runFolder = Path.GetFullPath(args.Length > 0 ? args[0] : Path.Combine("runs", "quickstart-" + DateTime.Now.ToString("yyyyMMdd-HHmmss")));
int epochs = args.Length > 1 ? int.Parse(args[1]) : 3;

var spec = new TranslateTrainSpec(Arch: "bahdanau", Task: "dates", Pairs: 2000, Embedding: 32, Hidden: 64);
var trainer = new TrainerOptions { Epochs = epochs, BatchSize = 64, LearningRate = 3e-3, OutDir = runFolder, Monitor = "loss" };
var context = ExperimentContext.Cpu(Console.Out);

RunResult result = TranslateExperiment.Train(spec, trainer, context);
Console.WriteLine(result.ToLine());

foreach (var t in TranslateExperiment.Translate(runFolder, ["march 5, 2021", "12/24/99"], context))
    Console.WriteLine($"translated: {t.Output}");

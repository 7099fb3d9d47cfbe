using System.Runtime.InteropServices;
using AttentionSharp.Cli;

// Ctrl-C and SIGTERM ask the running command to stop cleanly (a training run keeps its last complete epoch and exits
// with 130); a second Ctrl-C ends the process at once.
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = App.Interrupt();
    if (e.Cancel) Console.Error.WriteLine("stopping after the current batch (Ctrl-C again to quit at once)...");
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = App.Interrupt();
    if (context.Cancel) Console.Error.WriteLine("SIGTERM: stopping after the current batch...");
});
return App.Run(args, Console.Out, Console.Error);

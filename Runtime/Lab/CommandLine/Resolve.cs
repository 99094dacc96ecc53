using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Ahwa.Lab.Tasks;
using Ahwa.Runtime;

namespace Ahwa.Lab.CommandLine;

/// <summary>From the command line to the user's assembly, model and task; every miss names the argument and value.</summary>
static class Resolve
{
    public static Assembly Assembly(CliHost host, AssemblySettings settings)
    {
        if (settings.Assembly is string path)
        {
            if (OptionValues.BlankPath("--assembly", path, "file") is string blank) throw new CommandLineException(blank);
            if (!File.Exists(path)) throw new CommandLineException($"--assembly file '{path}' does not exist.");
            var full = Path.GetFullPath(path);
            if (host.Models is { } loaded && string.Equals(Path.GetFullPath(loaded.Location), full, StringComparison.Ordinal)) return loaded;
            return System.Reflection.Assembly.LoadFrom(full);
        }
        if (host.Models is { } models) return models;
        var found = ProjectLocator.FindAssembly(Directory.GetCurrentDirectory(), out string problem) ?? throw new CommandLineException(problem);
        return System.Reflection.Assembly.LoadFrom(found);
    }

    public static RegisteredModel Model(Assembly assembly, string? name)
    {
        var all = ModelRegistry.Of(assembly);
        string owner = assembly.GetName().Name!;
        if (all.Count == 0) throw new CommandLineException($"Assembly '{owner}' has no [AnalogModel] class (no generated registry).");
        string names = string.Join(", ", all.Select(m => m.Name));
        if (name is null)
            return all.Count == 1 ? all[0] : throw new CommandLineException($"MODEL is required: '{owner}' has {all.Count} models ({names}).");
        return all.FirstOrDefault(m => m.Name == name || m.Type.FullName == name)
            ?? throw new CommandLineException($"MODEL '{name}' is not a model of '{owner}'; its models: {names}.");
    }

    public static AhwaModel Create(RegisteredModel model, ulong seed) =>
        model.Create?.Invoke(unchecked((long)seed))
            ?? throw new InvalidOperationException($"Model '{model.Name}' has its own constructor, so the command cannot construct it.");

    /// <summary>The public task classes of the assembly written for this model (or a base class of it).</summary>
    public static IReadOnlyList<Type> Tasks(Assembly assembly, RegisteredModel model) => assembly.GetExportedTypes()
        .Where(t => !t.IsAbstract && typeof(IModelTask).IsAssignableFrom(t) && TaskModel(t) is Type m && m.IsAssignableFrom(model.Type))
        .OrderBy(t => t.FullName, StringComparer.Ordinal).ToList();

    /// <summary>The --data task (<see cref="DataTasks"/>), or the assembly's task named by --task.</summary>
    public static IModelTask Task(Assembly assembly, RegisteredModel model, TaskSettings settings, ulong seed) =>
        settings.Data is string data
            ? DataTasks.Load(model, settings.Task!, data, settings.Tokenizer!, OptionValues.Value<int>(settings, nameof(settings.MaxTokens)))
            : Task(assembly, model, settings.Task, seed);

    public static IModelTask Task(Assembly assembly, RegisteredModel model, string? name, ulong seed)
    {
        var tasks = Tasks(assembly, model);
        if (tasks.Count == 0) throw new CommandLineException($"Model '{model.Name}' has no task: add a public ModelTask<{model.Type.Name}> class to its assembly.");
        string names = string.Join(", ", tasks.Select(t => t.Name));
        Type type = name is null
            ? tasks.Count == 1 ? tasks[0] : throw new CommandLineException($"--task is required: model '{model.Name}' has {tasks.Count} tasks ({names}).")
            : tasks.FirstOrDefault(t => t.Name == name || t.FullName == name)
              ?? throw new CommandLineException($"--task '{name}' is not a task of model '{model.Name}'; its tasks: {names}.");
        var withSeed = type.GetConstructor([typeof(ulong)]);
        object task = withSeed is not null ? withSeed.Invoke([seed])
            : type.GetConstructor(Type.EmptyTypes)?.Invoke(null)
              ?? throw new InvalidOperationException($"Task '{type.Name}' needs a public constructor taking a ulong seed, or none.");
        return (IModelTask)task;
    }

    static Type? TaskModel(Type task)
    {
        for (var t = task; t is not null; t = t.BaseType)
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(ModelTask<>)) return t.GetGenericArguments()[0];
        return null;
    }
}

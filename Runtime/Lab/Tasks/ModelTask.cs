using System;
using Ahwa.Runtime;
using static TorchSharp.torch;

namespace Ahwa.Lab.Tasks;

/// <summary>A task the <c>ahwa</c> command can train and evaluate a model on: a user's assembly declares public
/// subclasses of <see cref="ModelTask{TModel}"/>, found by reflection; each is constructed with a seed.</summary>
public interface IModelTask
{
    /// <summary>The task's name on the command line (<c>--task NAME</c>).</summary>
    string Name { get; }

    /// <summary>The model class the task's loss and metric are written for.</summary>
    Type ModelType { get; }

    /// <summary>Training examples; batches are index arrays into them.</summary>
    int Examples { get; }

    /// <summary>What <see cref="Evaluate"/> returns, e.g. "accuracy" (higher is better).</summary>
    string Metric { get; }

    Tensor Loss(AhwaModel model, int[] batch);

    double Evaluate(AhwaModel model);
}

/// <summary>Base of a task for one model class: the loss and metric get the model as its own type.</summary>
public abstract class ModelTask<TModel> : IModelTask where TModel : AhwaModel
{
    public virtual string Name => GetType().Name;

    public Type ModelType => typeof(TModel);

    public abstract int Examples { get; }

    public virtual string Metric => "accuracy";

    public abstract Tensor Loss(TModel model, int[] batch);

    public abstract double Evaluate(TModel model);

    Tensor IModelTask.Loss(AhwaModel model, int[] batch) => Loss(Cast(model), batch);

    double IModelTask.Evaluate(AhwaModel model) => Evaluate(Cast(model));

    TModel Cast(AhwaModel model) => model as TModel
        ?? throw new ArgumentException($"Task '{Name}' is written for {typeof(TModel).Name}, not {model.GetType().Name}.", nameof(model));
}

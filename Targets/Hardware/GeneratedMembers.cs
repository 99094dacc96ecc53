namespace Ahwa.Hardware;

/// <summary>Names the generator gives to members of a user's class, known at run time too.</summary>
public static class GeneratedMembers
{
    /// <summary>Prefix of the fields that back generated properties; the runtime skips them when it registers fields.</summary>
    public const string BackingFieldPrefix = "__ahwa_";

    /// <summary>Field that backs a generated property.</summary>
    public static string BackingField(string propertyName) => BackingFieldPrefix + propertyName;
}

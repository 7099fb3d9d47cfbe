namespace AttentionSharp.Data.Relations;

/// <summary>
/// Sentence templates of the generated benchmark: <c>{h}</c> and <c>{t}</c> mark the head and tail. Each relation of
/// <see cref="GeoKnowledgeBase"/> has at least 20 templates that express it; <see cref="CoMention"/> holds at least 40 that
/// mention both entities and express no relation. Wording is shared across relations where a newspaper would share it
/// ("in", "of", "near"), so no single word gives a relation away.
/// </summary>
public static class RelationTemplates
{
    /// <summary>Templates that express <see cref="GeoKnowledgeBase.CityCountry"/> (h: city, t: country).</summary>
    public static readonly string[] CityCountry =
    [
        "{h} is a city in {t}.", "{h} is one of the largest cities of {t}.", "The mayor of {h}, the {t} city, announced new measures.",
        "{h} lies in the north of {t}.", "{h} lies in the south of {t}.", "In {h}, {t}, thousands gathered in the main square.",
        "{t}'s city of {h} has grown quickly.", "Residents of {h} in {t} voted on Sunday.", "{h}, located in {t}, is known for its old harbour.",
        "The government of {t} moved several ministries to {h}.", "{h} is an important port city of {t}.", "{h} became part of {t} long ago.",
        "{t} counts {h} among its biggest urban centres.", "Tourists visiting {t} often stop in the city of {h}.", "{h} is situated in {t}, near the border.",
        "The city of {h} in {t} hosted the conference.", "{h} ({t}) reported heavy rain overnight.", "Police in {h}, {t}, arrested two men.",
        "{h} remains the economic hub of western {t}.", "{h}, {t}'s second city, celebrated its anniversary.", "Born in {h}, {t}, she moved abroad at twenty.",
        "{h} lies within the borders of {t}.", "The clocks of {h} keep the official time of {t}.", "{h} is a {t} city on the coast.",
    ];

    /// <summary>Templates that express <see cref="GeoKnowledgeBase.SubdivisionCountry"/> (h: subdivision, t: country).</summary>
    public static readonly string[] SubdivisionCountry =
    [
        "{h} is a province of {t}.", "{h} is one of the regions of {t}.", "{h} is an administrative division of {t}.",
        "The governor of {h}, a region of {t}, resigned.", "{t} is divided into provinces such as {h}.", "{h} is a district in {t}.",
        "Elections were held in {h}, one of {t}'s provinces.", "The regional council of {h} in {t} approved the budget.", "{h} forms part of {t}.",
        "{h} borders several other regions of {t}.", "{t}'s region of {h} is largely rural.", "Farmers in the {t} province of {h} expect a good harvest.",
        "{h}, a department of {t}, has its own assembly.", "The central government of {t} sent aid to the region of {h}.",
        "{h} is among the administrative regions of {t}.", "{h} became a province of {t} after the reform.", "Roads across {h} in {t} were closed by snow.",
        "{h} is the most populous region of {t}.", "{h} belongs to {t}.", "Officials from {h}, {t}, met the delegation.",
        "{t} administers {h} as one of its regions.", "The {h} region of {t} is famous for its wine.", "Each region of {t}, including {h}, elects representatives.",
    ];

    /// <summary>Templates that express <see cref="GeoKnowledgeBase.CityState"/> (h: US city, t: state).</summary>
    public static readonly string[] CityState =
    [
        "{h} is a city in the state of {t}.", "{h}, {t}, is a small town with a busy main street.", "The town of {h} in {t} held its annual fair.",
        "{h} is located in {t}.", "Police in {h}, {t}, are investigating the fire.", "{t}'s town of {h} lost power after the storm.",
        "{h} is a community in {t}.", "Voters in {h}, {t}, went to the polls.", "{h} is one of the towns of {t}.", "The {t} city of {h} approved a new school.",
        "{h} sits in the eastern part of {t}.", "{h} sits in the western part of {t}.", "She grew up in {h}, {t}, and studied law.",
        "{h} is a county seat in {t}.", "The mayor of {h}, {t}, signed the order.", "{h} is a municipality in the state of {t}.",
        "Residents of {h}, a town in {t}, oppose the plan.", "{h} is in {t}.", "A tornado struck {h}, {t}, late on Tuesday.",
        "{h} lies along the highway in northern {t}.", "The population of {h}, {t}, has doubled.", "{h} belongs to the state of {t}.",
    ];

    /// <summary>Templates that express <see cref="GeoKnowledgeBase.AirportCity"/> (h: airport, t: US city).</summary>
    public static readonly string[] AirportCity =
    [
        "{h} is the airport of {t}.", "{h} airport serves {t}.", "{h} is the main airport serving {t}.", "The airport at {t}, {h}, added a runway.",
        "{h} is located near {t}.", "{h}, the airport in {t}, reopened.", "{t} is served by {h}.", "{t}'s airport, {h}, was closed by fog.",
        "Travellers to {t} land at {h}.", "{h} handles most of the air traffic of {t}.", "{h} airfield lies just outside {t}.",
        "A small plane landed safely at {h} near {t}.", "The city of {t} owns and operates {h}.", "{h} is {t}'s public airport.",
        "{t} residents fly out of {h}.", "The runway of {h} near {t} was repaved.", "{h} serves the community of {t}.",
        "Officials in {t} want to expand {h}.", "{h} airport, which serves {t}, is small.", "{h} gives {t} its only air link.",
        "Pilots based at {h} fly over {t} every day.",
    ];

    /// <summary>Co-mention templates: both entities, no relation expressed.</summary>
    public static readonly string[] CoMention =
    [
        "{h} and {t} were both mentioned in the report.", "Reporters travelled from {h} to {t} last week.", "The exhibition compared {h} with {t}.",
        "{h} and {t} are on the list of places she wants to visit.", "News from {h} and {t} dominated the evening broadcast.",
        "He has lived in {t} but never visited {h}.", "The weather in {h} was colder than in {t}.", "A delegation from {t} met people from {h}.",
        "Neither {h} nor {t} appeared in the final ranking.", "The train from {h} arrived in {t} late.", "{t} and {h} sent teams to the tournament.",
        "Prices in {h} rose faster than in {t}.", "Her novel is set partly in {h} and partly in {t}.", "Journalists compared the budgets of {h} and {t}.",
        "The band played in {h} before a show in {t}.", "{h} has nothing to do with {t}, the spokesman said.", "Scientists from {t} studied the soil of {h}.",
        "The shipment went from {t} to {h}.", "Both {h} and {t} reported record heat.", "Students from {h} won a prize in {t}.",
        "The documentary contrasts {t} with {h}.", "Unlike {t}, {h} has a dry climate.", "Many tourists confuse {h} with {t}.",
        "A bus route links {h} and {t}.", "Companies in {t} buy grain from {h}.", "The conference moved from {h} to {t}.",
        "{h} was mentioned after {t} in the speech.", "The singer was born far from both {h} and {t}.", "{t} and {h} signed a cultural exchange agreement.",
        "Storms hit {h} and later {t}.", "The survey ranked {h} above {t}.", "Fans from {h} travelled to {t} for the final.",
        "The map shows {t} but not {h}.", "She wrote letters from {h} to friends in {t}.", "Officials in {t} praised the volunteers of {h}.",
        "Food from {h} is popular in {t}.", "The report on {t} cited a study from {h}.", "A cyclist rode from {t} to {h} in a week.",
        "The museum in {t} displays photographs of {h}.", "Trade between {h} and {t} grew last year.", "{h} is a long way from {t}.",
        "The festivals of {h} and {t} start on the same day.", "An earthquake was felt in {h} but not in {t}.", "The team beat {t} after losing to {h}.",
        "He compared {t} to {h} in his blog.",
    ];

    /// <summary>Openings put before a core sentence, the same for every relation (split between training, validation and test in this order: 6, 2, 4).</summary>
    public static readonly string[] Openings =
    [
        "On Monday,", "According to local media,", "Last year,", "In a statement,", "Meanwhile,", "Officials said that",
        "As reported on Tuesday,", "Historians note that",
        "In recent years,", "The newspaper wrote that", "Earlier this month,", "Everyone knows that",
    ];

    /// <summary>The templates that express <paramref name="relation"/>.</summary>
    public static string[] For(string relation) => relation switch
    {
        GeoKnowledgeBase.CityCountry => CityCountry,
        GeoKnowledgeBase.SubdivisionCountry => SubdivisionCountry,
        GeoKnowledgeBase.CityState => CityState,
        GeoKnowledgeBase.AirportCity => AirportCity,
        RelationSet.NA => CoMention,
        _ => throw new ArgumentException($"no templates for relation '{relation}'"),
    };
}

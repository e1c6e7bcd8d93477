"""Publish the first version of the practice assessment framework: four criteria for each of the
six principles, each with what Emerging, Developing, Established and Leading look like.

The text is frozen here on purpose: a migration must not change meaning when application code changes
later. Network admins revise the framework afterwards, which publishes a new version.
"""

from django.db import migrations

CRITERIA = {
    1: [
        {
            "statement": (
                "The council maps how money, people and services flow across the whole place, "
                "not just through its own budgets."
            ),
            "emerging": (
                "Spending and demand are looked at one department or budget at a time. No "
                "shared picture exists of how residents move between council and partner "
                "services."
            ),
            "developing": (
                "One or two services have mapped where their users come from and go next, or "
                "how their spend links to other budgets. The work is one-off and not widely "
                "shared."
            ),
            "established": (
                "A whole-place map of spend, demand and key resident journeys exists, built "
                "with at least health and the voluntary sector. It is refreshed yearly and used "
                "in budget setting."
            ),
            "leading": (
                "A whole-system dataset, jointly owned with partners, is updated at least "
                "quarterly. Leaders across organisations use it routinely to agree where money "
                "and effort should move."
            ),
        },
        {
            "statement": (
                "Savings proposals are tested for knock-on costs to other services, partners "
                "and residents before they are agreed."
            ),
            "emerging": (
                "Savings are assessed only against the budget that holds them. Knock-on effects "
                "on other services or partners are rarely considered or written down."
            ),
            "developing": (
                "Some larger savings proposals include a short note on possible impacts "
                "elsewhere, usually descriptive and added late in the process."
            ),
            "established": (
                "An impact test covering other services, partners and residents is required for "
                "all savings above a set threshold. Affected partners are consulted and "
                "findings go to members."
            ),
            "leading": (
                "Whole-system costs and benefits are modelled with partners for all major "
                "decisions. Past savings are reviewed, and some have been changed because costs "
                "had shifted elsewhere."
            ),
        },
        {
            "statement": (
                "Decisions are judged by their overall value to residents and the local "
                "economy, not only by the council's own bottom line."
            ),
            "emerging": (
                "Business cases and reports measure success by cost to the council alone. Wider "
                "social, economic or community value plays no part in decisions."
            ),
            "developing": (
                "Some reports mention wider benefits to residents or local businesses, but "
                "there is no consistent method and it rarely changes the outcome."
            ),
            "established": (
                "An agreed method for weighing social, economic and community value is used in "
                "business cases and committee reports. Officers can point to decisions it has "
                "shaped."
            ),
            "leading": (
                "Whole-place value is a standard test for all key decisions. Results are "
                "checked after the event and published, and partners use the same measures."
            ),
        },
        {
            "statement": (
                "The council plans and works as one system with health, police, voluntary "
                "groups and other partners who serve the same residents."
            ),
            "emerging": (
                "Contact with partners is mainly through formal boards or individual cases. "
                "Plans and budgets are drawn up separately with little joint discussion."
            ),
            "developing": (
                "Partners meet regularly, share some plans and run a few joint projects. "
                "Priorities and budgets are still set mainly by each organisation alone."
            ),
            "established": (
                "A place-based partnership with health, police and the voluntary sector agrees "
                "shared outcomes. Some budgets or posts are pooled and progress is reviewed "
                "jointly each year."
            ),
            "leading": (
                "Partners plan, commission and review as one system, with pooled or aligned "
                "budgets in several areas. Voluntary groups take part as equals and joint "
                "results are published."
            ),
        },
    ],
    2: [
        {
            "statement": (
                "Services are organised around clearly defined neighbourhoods that make sense "
                "to residents and match how communities see their area."
            ),
            "emerging": (
                "Services are organised by department or across the whole council area. There "
                "are no agreed neighbourhood boundaries that services share."
            ),
            "developing": (
                "Neighbourhood areas have been defined and a few services, such as housing or "
                "community safety, use them. Other services still work to their own boundaries."
            ),
            "established": (
                "Most council services and key partners work to the same neighbourhood areas, "
                "agreed with residents and community groups. Data is reported by neighbourhood."
            ),
            "leading": (
                "All council services and main partners share neighbourhood boundaries that "
                "residents helped set. Each neighbourhood has a profile, plan and budget "
                "reviewed every year."
            ),
        },
        {
            "statement": (
                "Council staff, partners and community groups in each neighbourhood know each "
                "other and meet regularly to solve local problems together."
            ),
            "emerging": (
                "Frontline staff from different services rarely meet. Few know which community "
                "groups are active in the areas they cover."
            ),
            "developing": (
                "Some neighbourhoods have a forum or network meeting, but attendance depends on "
                "individuals and community groups are not always invited."
            ),
            "established": (
                "Every neighbourhood has a multi-agency team or network that meets at least "
                "monthly and includes community groups. Each keeps an up-to-date directory of "
                "local support."
            ),
            "leading": (
                "Council, health, police and community staff work side by side in neighbourhood "
                "teams, often in shared bases. Residents and groups help set priorities and "
                "actions are tracked."
            ),
        },
        {
            "statement": (
                "Neighbourhood teams spot problems early and share information safely, so "
                "residents get joined-up help instead of being passed around."
            ),
            "emerging": (
                "Residents are referred between separate services and often have to repeat "
                "their story. Information sharing between services is limited and ad hoc."
            ),
            "developing": (
                "Some teams discuss complex cases together and an information-sharing agreement "
                "exists, but it is used unevenly and mostly once problems are serious."
            ),
            "established": (
                "Neighbourhood teams hold regular case and hotspot meetings using shared data "
                "under a signed agreement. A named lead worker co-ordinates support for each "
                "case."
            ),
            "leading": (
                "Shared neighbourhood data flags rising need before it becomes a crisis. "
                "Residents tell their story once, and repeat referrals are measured and "
                "falling."
            ),
        },
        {
            "statement": (
                "Local buildings and community networks are used as bases for services, so "
                "support is offered where people already go."
            ),
            "emerging": (
                "Most services are delivered from central council offices. Community buildings "
                "are seldom used for council or partner services."
            ),
            "developing": (
                "A few services run drop-ins or outreach in libraries, community centres or "
                "faith venues, mostly as pilots or on a short-term basis."
            ),
            "established": (
                "Each neighbourhood has at least one community hub offering several services on "
                "a regular timetable, often run with or by a local organisation."
            ),
            "leading": (
                "Hubs in every neighbourhood are run with community organisations and shaped by "
                "resident feedback. Use is tracked and the council's property plans are built "
                "around them."
            ),
        },
    ],
    3: [
        {
            "statement": (
                "The council measures what share of its spend goes to local businesses, "
                "charities and social enterprises, and reports it regularly."
            ),
            "emerging": (
                "The council does not know how much of its spend goes to local suppliers. "
                "Supplier location is not recorded in a usable way."
            ),
            "developing": (
                "A one-off analysis of local spend has been done using supplier postcodes, but "
                "it is not repeated or broken down by type of supplier."
            ),
            "established": (
                "Local spend is measured at least yearly against an agreed definition of local, "
                "split by sector, supplier size and service. Results go to senior leaders and "
                "members."
            ),
            "leading": (
                "Local spend, including main contractors' supply chains, is tracked quarterly "
                "and published. Partners such as the NHS use the same method so spend can be "
                "compared."
            ),
        },
        {
            "statement": (
                "The council sets a clear, published target to increase local spend and has a "
                "plan to reach it."
            ),
            "emerging": (
                "There is no target for local spend. Buying decisions focus on lowest price and "
                "compliance with the rules."
            ),
            "developing": (
                "The procurement strategy includes a general aim to support local suppliers, "
                "but there is no measurable target or action plan."
            ),
            "established": (
                "A measurable local spend target is published with a named lead and an action "
                "plan. Senior leaders review progress at least twice a year."
            ),
            "leading": (
                "Each directorate has a local spend target and most are met. Targets are raised "
                "over time, and other local anchor organisations have set matching targets."
            ),
        },
        {
            "statement": (
                "Contracts use social value to encourage suppliers to employ local people, pay "
                "fairly and buy from other local firms."
            ),
            "emerging": (
                "Social value is not used, or is a small generic score in tenders. What "
                "suppliers promise is not checked once the contract is awarded."
            ),
            "developing": (
                "Larger tenders include social value, with some local jobs or spend "
                "commitments, but monitoring is light and results are not reported."
            ),
            "established": (
                "A local social value framework with weighted local jobs and supply chain "
                "measures is used for all contracts above a set value. Delivery is checked in "
                "contract reviews."
            ),
            "leading": (
                "Social value asks are tailored to local priorities, checked at least quarterly "
                "and published. Shortfalls trigger agreed remedies and local jobs and spend are "
                "evidenced."
            ),
        },
        {
            "statement": (
                "The council actively helps local businesses, charities and social enterprises "
                "find and win council contracts."
            ),
            "emerging": (
                "Opportunities are advertised only on national portals. Local suppliers get "
                "little notice or help to understand how to bid."
            ),
            "developing": (
                "Occasional meet-the-buyer events or bidding workshops are held. Small "
                "suppliers can ask for help, but there is no regular programme."
            ),
            "established": (
                "A forward plan of contract opportunities is published and updated at least "
                "twice a year. Regular supplier events and bid support are run with local "
                "business and sector bodies."
            ),
            "leading": (
                "Local suppliers are engaged well before tenders start and get feedback on "
                "every bid. The number of local first-time winners is tracked and rising year "
                "on year."
            ),
        },
    ],
    4: [
        {
            "statement": (
                "The council knows how much it spends on prevention and early help compared "
                "with crisis services, and tracks the balance over time."
            ),
            "emerging": (
                "Spending is not split between early help and crisis services. There is no "
                "picture of how the balance is changing over time."
            ),
            "developing": (
                "Some services have estimated their spend on prevention, but there is no "
                "council-wide definition or regular tracking."
            ),
            "established": (
                "An agreed definition of prevention spend is used across services. The balance "
                "is reported to leaders every year, with a stated aim to shift money towards "
                "early help."
            ),
            "leading": (
                "Prevention spend is tracked with partners across the whole system. The share "
                "going to early help has grown over several years and is protected in budget "
                "setting."
            ),
        },
        {
            "statement": (
                "Money and staff are invested in early help before problems become crises, even "
                "when budgets are under pressure."
            ),
            "emerging": (
                "Early help and preventive services are usually the first to be cut when "
                "savings are needed. Most resources go to statutory and crisis services."
            ),
            "developing": (
                "Some preventive services are funded, often from short-term or one-off money "
                "that is renewed year to year with little certainty."
            ),
            "established": (
                "Core preventive services have recurring funding in the medium-term financial "
                "plan. Any proposal to cut prevention must show the likely rise in later "
                "demand."
            ),
            "leading": (
                "A protected or pooled prevention budget is agreed with partners for several "
                "years. Savings from lower crisis demand are reinvested in early help."
            ),
        },
        {
            "statement": (
                "Local organisations that reach people early are funded and trusted to help "
                "them stay well and independent."
            ),
            "emerging": (
                "Little or no funding goes to local organisations for early help. Their role in "
                "prevention is not recognised in council plans."
            ),
            "developing": (
                "Some local groups get small grants for preventive work, but these are "
                "short-term and not linked to wider prevention plans."
            ),
            "established": (
                "Local organisations hold multi-year funding for preventive work with agreed "
                "outcomes. Clear referral routes, such as social prescribing, link them to "
                "council and health services."
            ),
            "leading": (
                "Local organisations are core prevention partners with long-term funding, "
                "shared referral systems and a say in how early help is designed. Their effect "
                "on later demand is evidenced."
            ),
        },
        {
            "statement": (
                "The council uses data and evidence to show how early intervention reduces "
                "demand and costs later on."
            ),
            "emerging": (
                "The effect of early help on later demand or cost is not measured. Decisions "
                "rely on assumption or anecdote."
            ),
            "developing": (
                "A few projects have been evaluated, usually when funding ends, using counts "
                "such as numbers of people seen rather than outcomes."
            ),
            "established": (
                "Preventive services have outcome measures and cost-benefit estimates reviewed "
                "at least yearly. Findings are used to decide what to expand, change or stop."
            ),
            "leading": (
                "Data shared with partners tracks residents' outcomes and later use of crisis "
                "services over time. The evidence is published and has moved money into "
                "prevention."
            ),
        },
    ],
    5: [
        {
            "statement": (
                "The council treats local voluntary and community organisations as equal "
                "partners and uses their knowledge of residents in its decisions."
            ),
            "emerging": (
                "Voluntary and community organisations are seen mainly as suppliers or grant "
                "recipients. They have no formal role in council planning."
            ),
            "developing": (
                "A compact or similar agreement exists but is out of date or little used. "
                "Sector representatives sit on one or two boards."
            ),
            "established": (
                "A current partnership agreement is reviewed yearly with the sector. Sector "
                "representatives sit on key strategic boards and their advice is recorded and "
                "answered."
            ),
            "leading": (
                "The sector helps shape council strategies and reviews the partnership with the "
                "council each year. Commitments are monitored openly and acted on when they "
                "slip."
            ),
        },
        {
            "statement": (
                "The council shares plans, budgets and upcoming opportunities with local "
                "organisations early, so they can prepare and respond."
            ),
            "emerging": (
                "Local organisations hear about changes to funding or services late, often "
                "after decisions are made or when tenders are released."
            ),
            "developing": (
                "Plans are shared with the sector at some points, such as budget consultation, "
                "but timing is inconsistent and notice is short."
            ),
            "established": (
                "A forward plan of funding and commissioning is shared with the sector at least "
                "yearly, with at least three months' notice of significant changes."
            ),
            "leading": (
                "Local organisations are involved while plans are drafted, not after. Forward "
                "plans cover several years, are updated regularly and the sector confirms "
                "notice is timely."
            ),
        },
        {
            "statement": (
                "Funding for local organisations is longer-term, fair and covers the true cost "
                "of delivering the work."
            ),
            "emerging": (
                "Most funding is for one year or less and often confirmed late. Core costs such "
                "as rent, management and training are not covered."
            ),
            "developing": (
                "Some agreements run for two years or more, but most remain annual. Core costs "
                "are covered only in a few cases, by negotiation."
            ),
            "established": (
                "Funding of three years or more is the norm for ongoing services. Awards cover "
                "full costs, allow for inflation and are confirmed at least three months before "
                "they start."
            ),
            "leading": (
                "Long-term funding is standard and paid in advance where needed. Full cost "
                "recovery is policy and the council checks with the sector each year that "
                "funding is fair."
            ),
        },
        {
            "statement": (
                "The council helps local organisations grow and bid for work, with practical "
                "support on premises, skills and access to its expertise."
            ),
            "emerging": (
                "Support is limited to funding, if any. Requests for help with premises, skills "
                "or bidding are dealt with case by case."
            ),
            "developing": (
                "Some support is offered, such as reduced rents or occasional training, but it "
                "is not planned and many groups do not know it exists."
            ),
            "established": (
                "A published, funded support offer covers premises, training, bid writing and "
                "back-office help, often through a local infrastructure body. Take-up is "
                "monitored."
            ),
            "leading": (
                "A long-term capacity-building programme is shaped with the sector, including "
                "asset transfer where it fits. Growth in local groups' income and contracts is "
                "tracked."
            ),
        },
    ],
    6: [
        {
            "statement": (
                "Contracts are designed so local organisations can compete, using smaller lots "
                "and proportionate entry requirements."
            ),
            "emerging": (
                "Services are usually bundled into large contracts that only big providers can "
                "deliver. Turnover, insurance and track record thresholds are set high."
            ),
            "developing": (
                "Some contracts are split into lots, but this is decided case by case. "
                "Financial and insurance requirements are not routinely checked for "
                "proportionality."
            ),
            "established": (
                "Lotting by area or service is considered and recorded for every significant "
                "contract. Turnover, insurance and experience requirements match the risk and "
                "value."
            ),
            "leading": (
                "Lots are designed with local providers before tender, and consortia and "
                "subcontracting are actively supported. Local organisations win a rising share "
                "of lots."
            ),
        },
        {
            "statement": (
                "Paperwork for bidding, monitoring and reporting is simple and proportionate to "
                "the size and risk of the work."
            ),
            "emerging": (
                "The same lengthy forms and reports apply whatever the value. Small "
                "organisations say the process puts them off bidding."
            ),
            "developing": (
                "Simplified forms exist for some low-value opportunities, but monitoring and "
                "reporting are still heavy and vary between departments."
            ),
            "established": (
                "Bid and monitoring requirements are tiered by value and risk across the "
                "council. Feedback from small bidders is gathered and used to cut paperwork."
            ),
            "leading": (
                "Processes are designed with local providers, use plain English and ask for "
                "information once. Providers confirm bidding is simple and the effort needed is "
                "falling."
            ),
        },
        {
            "statement": (
                "The council picks the funding route that fits best, using grants where they "
                "suit better than contracts, and allows time to form partnerships."
            ),
            "emerging": (
                "Competitive tender is the default for almost all funding. Timescales are "
                "short, leaving little time for local organisations to team up."
            ),
            "developing": (
                "Grants are used for some small community projects and longer timescales are "
                "sometimes allowed, but there is no guidance on which route to use."
            ),
            "established": (
                "Guidance sets out when to use grants, contracts or other routes, and the "
                "choice is recorded for significant decisions. Timetables give bidders time to "
                "form partnerships."
            ),
            "leading": (
                "Grants, alliances and partnership models are used routinely where they fit, "
                "with funded support for local groups to form consortia. The mix of routes is "
                "reviewed yearly."
            ),
        },
        {
            "statement": (
                "Needs and service designs are worked out with providers and residents, so "
                "local delivery becomes the natural outcome."
            ),
            "emerging": (
                "Service specifications are written by officers alone, often copied from past "
                "contracts. Providers and residents see them only at tender."
            ),
            "developing": (
                "Market events are held for some contracts and residents are sometimes "
                "consulted, but usually once the design is mostly settled."
            ),
            "established": (
                "For all major commissions, local providers and residents help define needs and "
                "outcomes before specifications are written."
            ),
            "leading": (
                "Designing services with residents and local providers is the standard way to "
                "commission. Most new services are delivered locally as a result, and this is "
                "monitored and published."
            ),
        },
    ],
}


def publish_first_version(apps, schema_editor):
    FrameworkVersion = apps.get_model("principles", "FrameworkVersion")
    Criterion = apps.get_model("principles", "Criterion")
    Principle = apps.get_model("principles", "Principle")
    if FrameworkVersion.objects.exists():
        return
    version = FrameworkVersion.objects.create(
        number=1, change_note="The first version, published with the service."
    )
    principles = {principle.number: principle for principle in Principle.objects.all()}
    Criterion.objects.bulk_create(
        Criterion(framework=version, principle=principles[number], number=position, **texts)
        for number, criteria in CRITERIA.items()
        for position, texts in enumerate(criteria, start=1)
    )


def unpublish(apps, schema_editor):
    apps.get_model("principles", "Criterion").objects.filter(framework__number=1).delete()
    apps.get_model("principles", "FrameworkVersion").objects.filter(number=1).delete()


class Migration(migrations.Migration):
    dependencies = [("principles", "0006_practice_assessments")]

    operations = [migrations.RunPython(publish_first_version, unpublish)]

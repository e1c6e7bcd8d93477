"""Seed the six Keep it Local principles.

The text is frozen here on purpose: a migration must not change meaning when
application code changes later. Network admins edit the text afterwards.
"""

from django.db import migrations

PRINCIPLES = [
    (
        1,
        "Think about the whole system, not individual service silos",
        "Look at how money, people and services flow across the whole place rather than "
        "one budget or one department at a time. A saving made in one service can create "
        "a bigger cost somewhere else; decisions should weigh what is best for residents "
        "and the local economy overall, working with health, police, voluntary groups and "
        "other partners who serve the same people.",
    ),
    (
        2,
        "Co-ordinate services at a neighbourhood level",
        "Organise support around the places people live, so that services, community "
        "groups and residents in a neighbourhood know each other and work together. "
        "Neighbourhood teams can spot problems early, share information and use local "
        "buildings and networks, instead of residents being passed between distant, "
        "separate services.",
    ),
    (
        3,
        "Increase local spend to invest in the local economy",
        "Use the council's buying power so that more of its money stays in the area and "
        "keeps circulating: contracts with local businesses, charities and social "
        "enterprises, and with suppliers who employ and buy locally themselves. Measure "
        "the share of spend that is local and set a target to raise it.",
    ),
    (
        4,
        "Focus on early intervention now to save costs tomorrow",
        "Put resources into support that helps people before a problem becomes a crisis. "
        "Local organisations are often best placed to reach people early and keep them "
        "well and independent, which is better for residents and avoids the higher cost "
        "of acute services later on.",
    ),
    (
        5,
        "Commit to your community and proactively support local organisations",
        "Treat local voluntary and community organisations as partners, not just "
        "suppliers. Help them to grow and to bid for work: share plans early, offer "
        "longer and fairer funding, support with premises and skills, and listen to "
        "what they know about the people they serve.",
    ),
    (
        6,
        'Commission services simply and collaboratively so they are "local by default"',
        "Design commissioning so that local organisations can take part: smaller lots, "
        "proportionate paperwork, grants where they fit better than contracts, and time "
        "to form partnerships. Work out what is needed together with providers and "
        "residents, so the natural outcome is local delivery unless there is a good "
        "reason otherwise.",
    ),
]


def seed_principles(apps, schema_editor):
    Principle = apps.get_model("principles", "Principle")
    for number, title, summary in PRINCIPLES:
        Principle.objects.update_or_create(
            number=number, defaults={"title": title, "summary": summary}
        )


class Migration(migrations.Migration):
    dependencies = [("principles", "0001_initial")]

    operations = [migrations.RunPython(seed_principles, migrations.RunPython.noop)]

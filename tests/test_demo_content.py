from django.core.management import call_command

from partners.models import Partner
from portfolio.models import Partnership, Project, ProjectImage, Region, Sector


def table_snapshot():
    return {
        model.__name__: sorted(model.objects.values_list("pk", flat=True))
        for model in (Project, Partner, Partnership, Region, Sector, ProjectImage)
    }


def test_load_demo_twice_gives_the_same_rows(db):
    call_command("load_demo", verbosity=0)
    first = table_snapshot()
    project = Project.objects.get()
    cover = project.cover_image.name
    call_command("load_demo", "--reset", verbosity=0)
    assert table_snapshot() == first
    project.refresh_from_db()
    assert project.cover_image.name == cover
    assert first["Project"] and len(first["Partner"]) == 4 and len(first["Region"]) == 4


def test_seed_project_has_every_fact_of_the_published_page(demo):
    project = demo
    assert project.title_fr == "Prévenir la traite des êtres humains dans les régions rurales"
    assert project.subtitle_fr == "Une approche globale pour lutter contre ce fléau"
    assert project.title_en and project.subtitle_en and project.body_en
    assert project.sector.name_fr == "Projets spéciaux"
    assert project.sector.name_en == "Special projects"
    assert project.beneficiaries == 4000
    assert project.beneficiaries_description_fr == "filles et garçons"
    assert {r.name_en for r in project.regions.all()} == {"West Bengal", "Nepal", "Bangladesh"}
    assert project.regions.get(name_en="West Bengal").parent.name_en == "India"
    roles = {p.partner.name: (p.role, str(p.partner.country)) for p in project.partnerships.all()}
    assert roles == {
        "Mumbai Smiles": ("lead", "IN"),
        "Goran Bose Gram Bikash Kendra": ("implementing", "IN"),
        "CHHORI": ("implementing", "NP"),
        "AGROGOTHI SANGSTHA": ("implementing", "BD"),
    }
    lead = Partner.objects.get(name="Mumbai Smiles")
    assert lead.partner_since == 2013
    assert lead.quote_author == "Jaume Sanllorente"
    assert "400 000 femmes" in lead.quote_fr
    assert "Jaume Sanllorente" in lead.description_fr
    assert "depuis 2013" in project.body_fr
    assert project.cover_image and project.cover_alt_fr and project.cover_alt_en


def test_load_demo_twice_writes_no_new_files(db, media_root):
    call_command("load_demo", verbosity=0)
    first = sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())
    call_command("load_demo", "--reset", verbosity=0)
    second = sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())
    assert first == second
    assert any("renditions" in name for name in first)


def test_load_demo_leaves_an_edited_demo_alone_and_reset_restores_it(demo):
    demo.title_fr = "Titre changé par une éditrice"
    demo.is_published = False
    demo.save()
    demo.regions.clear()
    call_command("load_demo", verbosity=0)  # what `make run` does at every start
    demo.refresh_from_db()
    assert demo.title_fr == "Titre changé par une éditrice"
    assert not demo.is_published and not demo.regions.exists()

    call_command("load_demo", "--reset", verbosity=0)  # `make run RESET=1`
    demo.refresh_from_db()
    assert demo.title_fr == "Prévenir la traite des êtres humains dans les régions rurales"
    assert demo.is_published and demo.regions.count() == 3


def test_load_demo_fills_an_empty_database_only(db):
    from tests.factories import make_partner

    make_partner(name_fr="Un partenaire d’abord")
    call_command("load_demo", verbosity=0)
    assert not Project.objects.exists()


def test_load_demo_pledges_keeps_edited_amounts(demo):
    from donations.models import SuggestedAmount

    call_command("load_demo_pledges", verbosity=0)
    amount = SuggestedAmount.objects.filter(project=demo).first()
    amount.impact_fr = "Impact revu"
    amount.save()
    call_command("load_demo_pledges", verbosity=0)
    amount.refresh_from_db()
    assert amount.impact_fr == "Impact revu"
    call_command("load_demo_pledges", "--reset", verbosity=0)
    amount.refresh_from_db()
    assert amount.impact_fr != "Impact revu"


def make_run_commands(*arguments) -> str:
    """Return the commands `make run` would run, without running them."""
    import subprocess
    from pathlib import Path

    return subprocess.run(  # noqa: S603 - our own Makefile, fixed arguments
        ["make", "--dry-run", "--always-make", "run", *arguments],  # noqa: S607
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_make_run_serves_and_links_on_the_same_port():
    commands = make_run_commands("PORT=8401")
    runserver = next(line for line in commands.splitlines() if " runserver " in line)
    assert runserver.endswith("runserver 127.0.0.1:8401")
    assert "SITE_URL=http://127.0.0.1:8401 " in runserver
    local_admin = next(line for line in commands.splitlines() if " local_admin" in line)
    assert "SITE_URL=http://127.0.0.1:8401 " in local_admin


def test_make_run_resets_the_demo_only_when_asked():
    assert "load_demo --reset" not in make_run_commands()
    assert "load_demo --reset" in make_run_commands("RESET=1")


def test_the_demo_cover_says_the_title_in_both_languages(demo):
    """One placeholder picture serves the French and the English pages: its text gives
    the title in each, as the project has them."""
    from portfolio.management.commands.load_demo import cover_label

    label = cover_label({"title_fr": demo.title_fr, "title_en": demo.title_en})
    lines = label.split("\n")
    assert " ".join(lines[:2]) == demo.title_fr
    assert lines[2] == ""
    assert " ".join(lines[3:]) == demo.title_en
    assert len(lines) == 5  # Two lines a language: the picture's width holds them.

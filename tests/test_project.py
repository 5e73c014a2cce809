"""Project-level problems: missing folders and files, edited seeds, the project file itself."""

from __future__ import annotations

import shutil

from .conftest import REPO


def test_missing_decks_folder(make_project, run) -> None:
    root = make_project()
    shutil.rmtree(root / "decks")
    code, _, err = run(["check"], cwd=root)
    assert code == 1
    assert "decks:1:1: error[missing-file]: no decks/ folder" in err


def test_missing_project_file(make_project, run) -> None:
    root = make_project()
    (root / "studydeck.yaml").unlink()
    code, _, err = run(["check", str(root)], cwd=root)
    assert code == 1
    assert "studydeck.yaml:1:1: error[missing-file]: project file is missing" in err


def test_edited_seed_is_refused(make_project, run) -> None:
    root = make_project()
    seed = root / "seeds" / "001_700d1b8999e0173a.txt"
    seed.write_text(seed.read_text().replace("154 deaths", "15 deaths"))
    code, _, err = run(["check"], cwd=root)
    assert code == 1
    assert "error[seed-modified]: seeds/001_700d1b8999e0173a.txt does not match its catalog entry" in err
    assert "catalog says: 2f7dccd1b26b5512a6be994b4f21d5347f14ee30a74cfb80480f6b19f1cb9ab3" in err
    assert "error[excerpt-not-found]" not in err and "did you mean" not in err  # its text is never shown


def test_missing_seed_file(make_project, run) -> None:
    root = make_project()
    (root / "seeds" / "002_1cc66d0f442d10bf.txt").unlink()
    code, _, err = run(["check"], cwd=root)
    assert code == 1
    assert "error[missing-file]: seed file seeds/002_1cc66d0f442d10bf.txt is missing" in err


def test_bad_project_file_values(make_project, run) -> None:
    root = make_project()
    text = (root / "studydeck.yaml").read_text().replace("paper: a4", "paper: a5").replace("versions: 2", "versions: 0")
    (root / "studydeck.yaml").write_text(text)
    code, _, err = run(["check"], cwd=root)
    assert code == 1
    assert "error[bad-value]: project.build.paper: 'a5' is not one of a4, us-letter" in err
    assert "error[bad-value]: project.build.versions: 0 is outside 1..26" in err


def test_seeds_are_verbatim_copies_of_shared() -> None:
    shared = REPO.parent / "shared" / "seeds"
    if not shared.is_dir():
        import pytest

        pytest.skip("shared/seeds is not beside this checkout")
    for path in shared.glob("*.txt"):
        assert (REPO / "seeds" / path.name).read_bytes() == path.read_bytes(), path.name


def test_catalog_cites_every_seed() -> None:
    from generator.load import read_model
    from generator.model import Catalog

    catalog, diags = read_model(REPO / "seeds" / "sources.yaml", Catalog, "catalog")
    assert diags == []
    assert {s.file for s in catalog.sources} == {p.name for p in (REPO / "seeds").glob("*.txt")}
    kinds = {s.id: s.kind for s in catalog.sources}
    assert kinds["islamicity-mustafa"] == kinds["socialist-worker-prasad"] == "opinion"
    assert all(s.attribution for s in catalog.sources if s.kind == "opinion")

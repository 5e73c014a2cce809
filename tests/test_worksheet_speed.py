"""Worksheets rendered two at a time: the same files and bytes as one at a time, in the same
order; Typst's errors stay RenderError; Typst's memo cache is emptied between rounds."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.worksheet import render
from generator.worksheet.layout import QuizSpec, layout_quiz
from generator.worksheet.quizzes import QuizRequest, default_quizzes, render_quizzes
from generator.worksheet.render import RenderError, job, render_all, render_worksheet


def test_parallel_render_equals_sequential(starter) -> None:
    config = starter.project.config
    requests = default_quizzes("Starter", starter.project.decks, 6, 3, 11, "a4", starter.corpus, config.quiz)
    progress: list[tuple[int, int]] = []
    parallel = render_quizzes(requests, starter.corpus, Path("w"), on_done=lambda d, t: progress.append((d, t)),
                              workers=2)
    sequential = render_quizzes(requests, starter.corpus, Path("w"), workers=1)
    assert list(parallel) == list(sequential)  # same names, same order
    assert parallel == sequential  # same bytes
    assert len(parallel) == 2 * 3 * 2  # starter deck and mixed, 3 versions, sheet and key
    assert progress == [(n, 12) for n in range(1, 13)]
    data = layout_quiz(requests[0].items, starter.corpus, requests[0].spec, 1)
    assert parallel[Path("w") / f"{requests[0].slug}-B-key.pdf"] == render_worksheet(data, key=True)


def test_parallel_render_keeps_the_jobs_order(starter) -> None:
    items = starter.project.items
    datas = [layout_quiz(items, starter.corpus, QuizSpec(f"Quiz {n}", n), 0) for n in range(3)]
    # A big key first and small sheets after: rounds regroup them, results keep the given order.
    jobs = [job(datas[0], key=True), job(datas[1]), job(datas[2]), job(datas[0])]
    assert render_all(jobs, workers=2) == [render_worksheet(datas[0], key=True), render_worksheet(datas[1]),
                                           render_worksheet(datas[2]), render_worksheet(datas[0])]


@pytest.mark.parametrize("workers", [1, 2])
def test_typst_error_is_a_render_error(starter, workers) -> None:
    data = layout_quiz(starter.project.items, starter.corpus, QuizSpec("Q", 1), 0)
    broken = dict(data, sections="not a list")  # the template iterates over it: Typst refuses
    with pytest.raises(RenderError, match="typst could not render the worksheet"):
        render_all([job(data), job(broken), job(data, key=True)], workers=workers)


def test_memo_cache_is_aged_after_every_round(starter, monkeypatch) -> None:
    calls: list[str] = []
    real_forget, real_compile = render._forget, render._compile
    monkeypatch.setattr(render, "_forget", lambda: (calls.append("forget"), real_forget())[1])
    monkeypatch.setattr(render, "_compile", lambda one: (calls.append("compile"), real_compile(one))[1])
    data = layout_quiz(starter.project.items, starter.corpus, QuizSpec("Q", 1), 0)
    render_all([job(data), job(data, key=True), job(data)], workers=2)
    assert calls == ["compile", "compile", "forget", "compile", "forget"]


def test_an_empty_quiz_list_renders_nothing(starter) -> None:
    assert render_quizzes([], starter.corpus, Path("w")) == {}
    request = QuizRequest("none", QuizSpec("Q", 1), (), 0)
    assert render_quizzes([request], starter.corpus, Path("w")) == {}

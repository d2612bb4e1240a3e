"""Persona training and consolidation: real transformers + peft training, a real GGUF adapter loaded by
llama.cpp, the fidelity gate, kill -9 during training, the nightly schedule, re-embedding."""
from __future__ import annotations

import json
from contextlib import closing
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, cli_json, run_cli

pytestmark = pytest.mark.slow


def _diary_slice(src: Path, out: Path, *, start: int, count: int) -> Path:
    lines = src.read_text(encoding="utf-8").splitlines()[start:start + count]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def _db(vault: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{vault / 'sideload.db'}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


@pytest.fixture(scope="module")
def trained_diary(home, tmp_path_factory) -> Path:
    """A vault holding 160 entries of Pepys' 1660 diary, owned by Samuel Pepys, trained once (never
    changed: each test gets its own copy through `diary_vault`)."""
    data = ROOT.parent / "shared" / "data" / "diary"
    if not data.is_dir():
        pytest.skip("the diary sample data is not beside the checkout")
    tmp = tmp_path_factory.mktemp("diary")
    (tmp / "in").mkdir()
    src = _diary_slice(data / "pepys_1660.jsonl", tmp / "in" / "pepys_a.jsonl", start=0, count=160)
    vault = tmp / "vault"
    run_cli("--vault", str(vault), "init", check=True)
    run_cli("--vault", str(vault), "settings", "owner_name", "Samuel Pepys", check=True)
    run_cli("--vault", str(vault), "settings", "heldout_tokens", "1200", check=True)
    run_cli("--vault", str(vault), "settings", "train_token_budget", "3000", check=True)
    run_cli("--vault", str(vault), "settings", "watch_folders", str(src.parent), check=True)
    report = cli_json("--vault", str(vault), "consolidate", timeout=900)
    assert report["status"] == "done", report
    return vault


@pytest.fixture
def diary_vault(trained_diary, tmp_path) -> Path:
    """A copy of the trained vault and of its watched folder, so no test sees another's changes."""
    vault, watch = tmp_path / "vault", tmp_path / "in"
    shutil.copytree(trained_diary, vault)
    settings = json.loads((vault / "settings.json").read_text())
    shutil.copytree(settings["watch_folders"][0], watch)
    settings["watch_folders"] = [str(watch)]
    (vault / "settings.json").write_text(json.dumps(settings))
    with closing(sqlite3.connect(vault / "sideload.db")) as c, c:
        c.execute("UPDATE files SET path = replace(path, ?, ?)", (settings_prefix(trained_diary), str(watch)))
    return vault


def settings_prefix(vault: Path) -> str:
    return json.loads((vault / "settings.json").read_text())["watch_folders"][0]


def test_training_set_holds_out_the_newest_words_and_leaves_out_private(home, tmp_path):
    from sideload.learn import training
    from sideload.store.vault import Vault

    diary = tmp_path / "d.jsonl"
    diary.write_text("".join(json.dumps({"date": f"2026-01-{d:02d}", "text": f"Day {d}. " + "I walked to the office and back. " * (3 + d)}) + "\n"
                             for d in range(1, 21)), encoding="utf-8")
    vault = tmp_path / "v"
    run_cli("--vault", str(vault), "init", check=True)
    with Vault.open(vault, write=True) as v:
        v.settings.set("owner_name", "Ada")
        from sideload.ingest.session import ImportSession
        from sideload.jobs import JobContext

        class NoHub:  # text needs no model but the embedder; this test is about the set, not vectors
            heavy = __import__("threading").RLock()

            class embedder:
                name = "none"

                @staticmethod
                def encode(texts):
                    import numpy as np

                    return np.zeros((len(texts), 384), np.float32)

        ImportSession(v, NoHub(), JobContext()).run([diary])
        rows = v.db.execute("SELECT rid, day FROM moments ORDER BY t_start").fetchall()
        private_rid = rows[3]["rid"]
        with v.transaction() as tx:
            tx.execute("UPDATE moments SET private = 1 WHERE rid = ?", (private_rid,))
        tset = training.build(v.db, owner="Ada", seen=set(), token_budget=100_000, replay_share=0.25,
                              heldout_tokens=150)
        newest = {rows[-1]["rid"]}  # 150 tokens hold out just the newest entry
        held_days = [ex.messages[1]["content"] for ex in tset.heldout]
        assert private_rid not in tset.sources
        assert not newest & set(tset.sources), "held-out words must not be trained on"
        assert any("20 January 2026" in d for d in held_days)
        assert all(ex.messages[0]["content"].startswith("You are Ada") for ex in tset.train)
        # optionally trained on: the owner's choice
        with_private = training.build(v.db, owner="Ada", seen=set(), token_budget=100_000, replay_share=0.25,
                                      heldout_tokens=150, include_private=True)
        assert private_rid in with_private.sources
        # replay: words an adapter has seen come back only as a share of the budget
        seen = set(tset.sources)
        again = training.build(v.db, owner="Ada", seen=seen, token_budget=200, replay_share=0.25, heldout_tokens=150)
        assert again.new_tokens == 0 and 0 < again.replay_tokens


def test_chunks_cut_at_sentence_ends():
    from sideload.learn.training import chunks

    text = "One sentence here. " * 120
    parts = chunks(text, 300)
    assert all(len(p) <= 300 for p in parts) and all(p.endswith(".") for p in parts)
    assert " ".join(parts).split() == text.split()


def test_gguf_adapter_loads_in_llama_cpp_and_matches_torch(home, tmp_path):
    """The exported adapter changes llama.cpp's output exactly as peft changes torch's."""
    import torch

    from models import lora, scoring
    from models.llm import bundled_llm_path
    from sideload.paths import base_model_cache_dir
    from sideload.learn.training import system_prompt

    torch.set_num_threads(2)
    model, tok = lora.load_base(bundled_llm_path(), base_model_cache_dir())
    sys_msg = {"role": "system", "content": system_prompt("Ada")}
    examples = [lora.Example([sys_msg, {"role": "user", "content": f"Day {i}."}],
                             f"Up betimes, and to the office with my Lord Sandwich about the fleet, number {i}.")
                for i in range(12)]
    cfg = lora.TrainConfig(rank=8, alpha=16, lr=3e-3, token_budget=1500, batch_tokens=512)
    pm = lora.attach_lora(model, cfg)
    # the q and k permutation only shows with non-zero B: train a few steps
    lora.train(pm, tok, examples, cfg)
    with pm.disable_adapter():
        torch_base = lora.torch_perplexity(pm, tok, examples[:4])
    torch_lora = lora.torch_perplexity(pm, tok, examples[:4])
    out = lora.export_gguf(pm, tmp_path / "a.gguf")
    cpp_base, n = scoring.llama_perplexity(bundled_llm_path(), examples[:4])
    cpp_lora, _ = scoring.llama_perplexity(bundled_llm_path(), examples[:4], lora_path=out)
    assert n > 50
    assert torch_lora < torch_base * 0.8, "training should have learnt the repeated sentence"
    # the base GGUF is Q4_1 and torch holds its dequantised weights: close, not identical
    assert abs(cpp_base - torch_base) / torch_base < 0.05
    assert abs(cpp_lora - torch_lora) / torch_lora < 0.05, (cpp_lora, torch_lora)


def test_consolidation_trains_and_promotes_an_adapter_that_serves(diary_vault):
    db = _db(diary_vault)
    row = db.execute("SELECT * FROM adapters WHERE status = 'served'").fetchone()
    assert row is not None
    assert row["ppl_new"] < row["ppl_base"]
    assert (diary_vault / "derived" / "adapters" / row["gguf_file"]).stat().st_size > 100_000
    n_sources = db.execute("SELECT count(*) FROM adapter_sources WHERE adapter_id = ?", (row["adapter_id"],)).fetchone()[0]
    assert n_sources > 0
    report = json.loads(db.execute("SELECT report FROM consolidation_runs ORDER BY run_id DESC").fetchone()[0])
    names = [s["name"] for s in report["steps"]]
    assert names == ["back up the catalogue", "import new", "re-embed", "passages of long moments",
                     "people by voice", "activities", "profile", "train, evaluate, promote",
                     "retention of originals"]
    assert all(s["status"] == "done" and s["seconds"] >= 0 for s in report["steps"])
    assert report["persona"]["promoted"] is True and any("now serves" in line for line in report["learnt"])
    assert list((diary_vault / "derived" / "reports").glob("*.json"))
    # the persona answers with the adapter loaded beside the base model
    ans = cli_json("--vault", str(diary_vault), "ask", "Where did I go to church?")
    assert ans["answer"] and ans["citations"]
    hist = cli_json("--vault", str(diary_vault), "persona", "history")
    assert hist["adapters"][0]["status"] == "served"


def test_persona_eval_on_a_file_that_was_not_imported(diary_vault, tmp_path):
    data = ROOT.parent / "shared" / "data" / "diary"
    later = _diary_slice(data / "pepys_1660.jsonl", tmp_path / "later.jsonl", start=200, count=25)
    doc = cli_json("--vault", str(diary_vault), "persona", "eval", "--heldout", str(later), "--max-tokens", "1500")
    assert doc["tokens"] > 500
    assert doc["persona"]["perplexity"] < doc["base"]["perplexity"]
    assert doc["reduction"] > 0.05
    # four-way choices beside perplexity: coherence among the diarist's own words; likeness needs
    # someone else's words, and a diary alone has none (nor is an imitation_model set here)
    assert doc["choices"] == 4 and doc["coherence_items"] == 8 and doc["items"] == 0
    assert doc["likeness_distractors"] is None and "imitation_model" in doc["likeness_note"]
    assert all(0 <= doc[m]["coherence_accuracy"] <= 1 for m in ("base", "persona"))
    assert doc["base"]["choice_accuracy"] is None
    bad = run_cli("--vault", str(diary_vault), "persona", "eval", "--heldout", str(tmp_path / "missing.jsonl"))
    assert bad.returncode == 2 and "no such file" in bad.stderr


def test_the_gate_refuses_a_worse_adapter(diary_vault):
    """A candidate damaged before scoring is kept unserved with its figures; the old one serves on."""
    import torch

    from models.hub import ModelHub
    from sideload.learn import adapters
    from sideload.persona import serving
    from sideload.jobs import JobContext
    from sideload.store.vault import Vault

    def damage(peft_model):
        g = torch.Generator().manual_seed(0)
        for name, p in peft_model.named_parameters():
            if "lora_B" in name:
                p.data += torch.randn(p.shape, generator=g) * 0.5  # clearly worse: 0.05 once scored better

    with Vault.open(diary_vault, write=True) as v:
        before = serving.served(v.db)
        # something new to learn, so the gate is reached
        with v.transaction() as tx:
            tx.execute("DELETE FROM adapter_sources WHERE adapter_id = ? AND rid IN "
                       "(SELECT rid FROM adapter_sources WHERE adapter_id = ? LIMIT 10)",
                       (before["adapter_id"], before["adapter_id"]))
        out = adapters.train_and_gate(v, ModelHub(v.settings), JobContext(), token_budget=600, candidate_hook=damage)
        after = serving.served(v.db)
        rejected = v.db.execute("SELECT * FROM adapters WHERE adapter_id = ?", (out.adapter_id,)).fetchone()
    assert out.promoted is False
    assert after["adapter_id"] == before["adapter_id"]
    assert rejected["status"] == "rejected" and rejected["ppl_new"] > rejected["ppl_previous"]
    assert "kept unserved" in rejected["note"]


def test_kill_during_training_leaves_the_served_adapter_serving(diary_vault):
    from models.lora import file_sha256

    db = _db(diary_vault)
    served = db.execute("SELECT adapter_id, gguf_file FROM adapters WHERE status = 'served'").fetchone()
    gguf = diary_vault / "derived" / "adapters" / served["gguf_file"]
    digest = file_sha256(gguf)
    n_adapters = db.execute("SELECT count(*) FROM adapters").fetchone()[0]
    db.close()
    # more new words arrive, and a long night of training starts, as a real process
    data = ROOT.parent / "shared" / "data" / "diary"
    watch = Path(json.loads((diary_vault / "settings.json").read_text())["watch_folders"][0])
    _diary_slice(data / "pepys_1660.jsonl", watch / "pepys_b.jsonl", start=160, count=30)
    proc = subprocess.Popen([sys.executable, "-m", "sideload.cli", "--vault", str(diary_vault), "consolidate",
                             "--token-budget", "500000"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 300
        while time.time() < deadline:
            time.sleep(1)
            with closing(_db(diary_vault)) as c:
                row = c.execute("SELECT steps FROM consolidation_runs WHERE status = 'running'").fetchone()
            if row and len(json.loads(row[0])) >= 5:  # backup, import, re-embed, passages, profile: training
                break
        else:
            pytest.fail("training never started")
        time.sleep(8)
        assert proc.poll() is None
        # one consolidation at a time
        second = run_cli("--vault", str(diary_vault), "consolidate", "--json")
        assert second.returncode == 2 and "busy" in second.stderr
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    with closing(_db(diary_vault)) as c:
        still = c.execute("SELECT adapter_id FROM adapters WHERE status = 'served'").fetchone()
        assert still["adapter_id"] == served["adapter_id"]
        assert c.execute("SELECT count(*) FROM adapters").fetchone()[0] == n_adapters
    assert file_sha256(gguf) == digest
    # the served adapter still loads and answers
    assert cli_json("--vault", str(diary_vault), "ask", "What did I do at the office?")["answer"]
    # the next run notices the killed one, cleans up and goes again
    report = cli_json("--vault", str(diary_vault), "consolidate", "--token-budget", "600")
    assert report["resumed_after"] and report["status"] == "done"
    assert not list((diary_vault / "derived" / "adapters").glob("*.partial"))


def test_export_carries_the_served_adapter_to_the_family(diary_vault, tmp_path):
    db = _db(diary_vault)
    served = db.execute("SELECT adapter_id, gguf_file FROM adapters WHERE status = 'served'").fetchone()
    db.close()
    (tmp_path / "pass").write_text("a long enough passphrase\n")
    cli_json("--vault", str(diary_vault), "export", "--out", str(tmp_path / "p.sideload"), "--passphrase-file", str(tmp_path / "pass"))
    fam = tmp_path / "fam"
    cli_json("open-legacy", str(tmp_path / "p.sideload"), "--passphrase-file", str(tmp_path / "pass"), "--to", str(fam))
    hist = cli_json("--vault", str(fam), "persona", "history")["adapters"]
    assert [(a["adapter_id"], a["status"]) for a in hist] == [(served["adapter_id"], "served")]
    assert (fam / "derived" / "adapters" / served["gguf_file"]).exists()
    with closing(sqlite3.connect(fam / "sideload.db")) as c:
        model = json.loads(c.execute("SELECT value FROM kv WHERE key = 'persona_model'").fetchone()[0])
        assert c.execute("SELECT count(*) FROM adapter_sources").fetchone()[0] == 0
    assert model["adapter"]["version"] == served["adapter_id"] and len(model["sha256"]) == 64
    # the family's persona speaks with the preserved adapter; family mode cannot train it
    assert cli_json("--vault", str(fam), "ask", "What did I do at the office?")["answer"]
    assert run_cli("--vault", str(fam), "consolidate").returncode == 2


def test_forget_withdraws_adapters_trained_on_the_moment(diary_vault):
    db = _db(diary_vault)
    served = db.execute("SELECT adapter_id, gguf_file FROM adapters WHERE status = 'served'").fetchone()
    rid = db.execute("SELECT rid FROM adapter_sources WHERE adapter_id = ? LIMIT 1", (served["adapter_id"],)).fetchone()[0]
    mid = db.execute("SELECT moment_id FROM moments WHERE rid = ?", (rid,)).fetchone()[0]
    trained_on = [r[0] for r in db.execute("SELECT adapter_id FROM adapter_sources WHERE rid = ?", (rid,))]
    db.close()
    assert cli_json("--vault", str(diary_vault), "forget", mid)["forgotten"] == 1
    with closing(_db(diary_vault)) as c:
        for aid in trained_on:
            row = c.execute("SELECT status, needs_retrain, gguf_file FROM adapters WHERE adapter_id = ?", (aid,)).fetchone()
            assert row["status"] == "withdrawn" and row["needs_retrain"] == 1 and row["gguf_file"] is None
        assert not c.execute("SELECT 1 FROM adapter_sources WHERE rid = ?", (rid,)).fetchone()
        assert c.execute("SELECT value FROM kv WHERE key = 'retrain_from_scratch'").fetchone()[0] == "1"
    assert not (diary_vault / "derived" / "adapters" / served["gguf_file"]).exists()
    # the persona still answers (from the base model) until the next night retrains
    assert cli_json("--vault", str(diary_vault), "ask", "What did I do?")["answer"]


def test_nightly_schedule_is_kept_in_the_vault(home, tmp_path):
    from sideload.learn import schedule
    from sideload.store.vault import Vault

    vault = tmp_path / "v"
    run_cli("--vault", str(vault), "init", check=True)
    run_cli("--vault", str(vault), "settings", "nightly_time", "02:30", check=True)
    with Vault.open(vault) as v:
        sched = schedule.make_scheduler(v.paths, v.settings, background=True)
        sched.start(paused=True)
        job = sched.get_job(schedule.JOB_ID)
        assert (job.next_run_time.hour, job.next_run_time.minute) == (2, 30)
        sched.shutdown(wait=False)
        # the job store persists in the vault: a fresh scheduler reads the same job back
        from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

        store = SQLAlchemyJobStore(url=f"sqlite:///{v.paths.scheduler_db}")
        store.start(None, "default")
        jobs = store.get_all_jobs()
        assert [j.id for j in jobs] == [schedule.JOB_ID]
        assert jobs[0].func_ref == "sideload.context:scheduled_consolidation" and jobs[0].args == (str(vault),)
        store.shutdown()
    status = cli_json("--vault", str(vault), "consolidate", "--status")
    assert status["running"] is False and "T02:30" in status["next_run"]


def test_reembedding_after_a_model_change(diary_vault):
    """Vectors from another model are made again with the current one and search by meaning returns."""
    with sqlite3.connect(diary_vault / "sideload.db") as c:
        c.execute("UPDATE embeddings SET model = 'old-model' WHERE rid % 2 = 0")
    warned = run_cli("--vault", str(diary_vault), "search", "church sermon", "--json")
    assert warned.returncode == 0 and "searching by words only" in warned.stderr
    report = cli_json("--vault", str(diary_vault), "consolidate", "--only", "re-embed")
    step = next(s for s in report["steps"] if s["name"] == "re-embed")
    assert step["status"] == "done" and step["result"]["reembedded"] > 0
    with closing(_db(diary_vault)) as c:
        assert c.execute("SELECT count(*) FROM embeddings WHERE model = 'old-model'").fetchone()[0] == 0
        assert c.execute("SELECT count(*) FROM embeddings WHERE indexed = 0").fetchone()[0] == 0
    res = run_cli("--vault", str(diary_vault), "search", "church sermon", "--json", "--mode", "dense")
    assert res.returncode == 0 and "words only" not in res.stderr and json.loads(res.stdout)["results"]
    assert warned.returncode == 0

"""The persona's conversation, fast: what is asked is planned (a fact, a stretch of time, a person,
a feeling, a follow-up), who said what is right, and it says plainly when it never heard of something.
Real vault and search; the chat model is a fake whose lead is ignored unless grounded."""
from __future__ import annotations

import json

import pytest

from fakes import FakeLLM, fake_context
from sideload.jobs import JobContext


@pytest.fixture
def persona_vault(tmp_path, home):
    diary = tmp_path / "diary.jsonl"
    diary.write_text("".join(json.dumps(e) + "\n" for e in (
        {"date": "2026-03-01", "text": "Sunday. Repotted the fig tree and called my sister Ruth."},
        {"date": "2026-03-02", "text": "I love the early swim at the lido; the cold water clears my head."},
        {"date": "2026-03-02", "text": "Ruth wants me to drive her to the airport on Friday because her car failed its test."},
        {"date": "2026-02-20", "text": "So happy today: the garden club gave my roses first prize."},
    )), encoding="utf-8")
    (tmp_path / "WhatsApp Chat with Theo.txt").write_text(
        "01/03/2026, 09:10 - Theo: The quartet rehearsal moved to the church hall, 7pm.\n", encoding="utf-8")
    chat = tmp_path / "WhatsApp Chat with Ruth.txt"
    chat.write_text("02/03/2026, 18:02 - Ruth: Can you bring the blue suitcase on Friday?\n"
                    "02/03/2026, 18:05 - Ada: Yes, I'll bring it and the umbrella.\n", encoding="utf-8")
    context = fake_context(tmp_path / "v", llm=FakeLLM("Something unrelated entirely."))
    with context.init() as v:
        v.settings.set("owner_name", "Ada")
        v.settings.save()
        context.import_session(v, JobContext()).run([diary, chat, tmp_path / "WhatsApp Chat with Theo.txt"])
    return context


def _diary_vault(tmp_path, entries, lead="Something unrelated entirely."):
    """A vault of these diary entries, the chat model a fake whose lead is `lead`."""
    diary = tmp_path / "diary.jsonl"
    diary.write_text("".join(json.dumps({"date": d, "text": t}) + "\n" for d, t in entries), encoding="utf-8")
    context = fake_context(tmp_path / "v", llm=FakeLLM(lead))
    with context.init() as v:
        context.import_session(v, JobContext()).run([diary])
    return context


def _ask(context, question, history=None):
    with context.open() as v:
        return context.persona(v).ask(question, history=history)


def test_who_said_it_is_right(persona_vault):
    ans = _ask(persona_vault, "what did Ruth ask me to bring?")
    assert ans.remembered and "suitcase" in ans.text
    assert "Ruth wrote to me: “Can you bring the blue suitcase on Friday?”" in ans.text
    mine = _ask(persona_vault, "did I say anything about an umbrella?")
    assert "I wrote: “Yes, I'll bring it and the umbrella.”" in mine.text


def test_a_day_is_told_from_several_moments_in_time_order(persona_vault):
    ans = _ask(persona_vault, "tell me about my day")
    assert ans.remembered and len(ans.citations) >= 3
    lines = [l for l in ans.text.splitlines() if l.startswith("[")]
    assert len(lines) == len(ans.citations)
    starts = [c["started_at"] for c in ans.citations]
    assert starts == sorted(starts) and all(s.startswith("2026-03-02") for s in starts)
    # a month or a year's end named with its year is a stretch of time too, not a fact to look up
    month = _ask(persona_vault, "How was March 2026?")
    assert len(month.citations) >= 3 and all(c["started_at"].startswith("2026-03") for c in month.citations)
    with persona_vault.open() as v:
        assert persona_vault.persona(v).plan("What happened at the end of 2025?").kind == "period"
    # counted back from the newest day, Monday 2 March: last week is 23 February to 1 March
    week = _ask(persona_vault, "How was last week?")
    assert week.citations and all("2026-02-23" <= c["started_at"][:10] <= "2026-03-01" for c in week.citations)


def test_a_day_that_is_one_long_entry_is_told_from_its_course(tmp_path, home):
    """A diary's day is one entry: "what happened on 2 September 1666?" quoted one sentence from its
    middle. It is told from parts spread from its first sentence to its last, in order, none twice."""
    filler = " ".join(f"Then to the office and wrote letters number {i} till it was late." for i in range(12))
    day = ("Jane called us up about three in the morning to tell us of a great fire in the City. " + filler +
           " The poor pigeons were loth to leave their houses and hovered about the windows. " + filler +
           " So home, and to bed, much troubled by the sight of the fire all night.")
    context = _diary_vault(tmp_path, [("1666-09-02", day), ("1666-09-03", "Up early and carried my money away.")])
    ans = _ask(context, "What happened on 2 September 1666?")
    quoted = [l for l in ans.text.splitlines() if l.startswith("[")]
    assert len(quoted) >= 3 and len(set(quoted)) == len(quoted)
    assert "Jane called us up" in quoted[0] and "to bed" in quoted[-1]
    assert all(c["started_at"].startswith("1666-09-02") for c in ans.citations)
    assert len(ans.citations) == len(quoted)


def test_the_owners_birthday_is_a_day_learnt_from_their_own_words(tmp_path, home):
    """"What did you do on your birthday in 2025?" is the day the owner wrote "my birthday" on."""
    from sideload.persona.personal_days import with_personal_days

    context = _diary_vault(tmp_path, [
        ("2024-03-14", "My birthday, forty today. Cake with Ruth at the lido cafe."),
        ("2025-03-13", "Packed the car for the coast."),
        ("2025-03-14", "This is my birthday. We walked the cliffs at Dover and ate crab on the harbour wall."),
        ("2025-06-01", "Ruth's birthday: a picnic in the park.")])
    answer = _ask(context, "What did you do on your birthday in 2025?")
    assert answer.remembered and "cliffs at Dover" in answer.text
    assert all(c["started_at"].startswith("2025-03-14") for c in answer.citations)
    with context.open() as v:
        assert with_personal_days(v.db, "how did I spend my last birthday?") == "how did I spend 14 March?"
        assert with_personal_days(v.db, "what's my birthday?") == "what's my birthday?"  # asks which day
        persona = context.persona(v)
        assert persona.plan("Where were you on your birthday in 2024?").query == "Where was I on 14 March 2024?"
    # a named year is meant: nothing of it there is not a memory of another year
    assert "picnic" not in _ask(context, "What did you eat on your birthday in 2024?").text
    # never written: the question is left as it was asked
    (tmp_path / "other").mkdir()
    other = _diary_vault(tmp_path / "other", [("2025-01-02", "A quiet day at home.")])
    with other.open() as v:
        assert with_personal_days(v.db, "what did I do on my birthday?") == "what did I do on my birthday?"
    # a day kept late is counted on the day it names: "kept in lieu of yesterday, for my wedding day"
    (tmp_path / "wed").mkdir()
    wed = _diary_vault(tmp_path / "wed", [
        ("1665-10-11", "This night is kept in lieu of yesterday, for my wedding day of ten years."),
        ("1666-10-10", "So home to supper, and to bed, it being my wedding night.")])
    with wed.open() as v:
        assert with_personal_days(v.db, "what did I do on my wedding day?") == "what did I do on 10 October?"


def test_how_old_the_owner_was_is_worked_out_from_the_age_they_wrote_on_a_birthday(tmp_path, home):
    context = _diary_vault(tmp_path, [
        ("2024-03-14", "My birthday, forty today. Cake with Ruth at the lido cafe."),
        ("2024-06-01", "Ruth's birthday, 38 years: a picnic in the park."),  # someone else's
        ("2025-03-14", "It being my 41st birthday we walked the cliffs."),
        ("2025-05-02", "A quiet day at home.")])
    answer = _ask(context, "Dad, how old were you in 2024?")
    assert answer.text.startswith("I was 39 in 2024, and 40 from 14 March. I was born on 14 March 1984.")
    assert answer.citations[0]["started_at"].startswith("2024-03-14") and "forty today" in answer.text
    assert _ask(context, "When were you born?").text.startswith("I was born on 14 March 1984.")
    assert _ask(context, "How old are you?").text.startswith("When my memories end, on 2 May 2025, I was 41.")
    with context.open() as v:
        persona = context.persona(v)
        assert persona.plan("How old was Ruth?").kind != "age"
        assert persona.plan("How old were you when the dog died?").kind != "age"  # an event: search
    # an age in words, as a diarist of 1660 wrote it; and nothing guessed where none was written
    (tmp_path / "old").mkdir()
    old = _diary_vault(tmp_path / "old", [("1660-02-23", "Thursday, my birthday, now twenty-seven years."),
                                         ("1660-03-01", "To the office.")])
    assert _ask(old, "When were you born?").text.startswith("I was born on 23 February 1633.")
    (tmp_path / "none").mkdir()
    none = _diary_vault(tmp_path / "none", [("2025-03-14", "My birthday. Cake."), ("2025-03-15", "Rain.")])
    with none.open() as v:
        assert none.persona(v).plan("How old were you in 2025?").kind != "age"


def test_a_feeling_is_answered_from_the_owners_own_words_or_not_at_all(persona_vault):
    swim = _ask(persona_vault, "what do you think about swimming?")
    assert swim.remembered and "lido" in swim.text and all(c["speaker"] == "me" for c in swim.citations)
    never = _ask(persona_vault, "what is your opinion of the internet?")
    assert not never.remembered and never.text == "I don't remember ever saying what I think about the internet."


def test_a_feeling_about_kin_is_looked_for_in_the_owners_words_for_them(tmp_path, home):
    """"Did you love Mum?" asked of a diarist who drank mum (a beer) at the Mum house quoted the beer:
    the topic is the asker's mother, the owner's wife."""
    context = _diary_vault(tmp_path, [
        ("1664-06-28", "Thence with my uncle to the Mum house, and there drinking mum till late."),
        ("1664-07-02", "I do love my wife dearly; we walked in the garden and I was very happy with her.")])
    answer = _ask(context, "Did you love Mum?")
    assert answer.remembered and "love my wife" in answer.text and "Mum house" not in answer.text


def test_someone_known_only_by_their_own_messages_is_known(persona_vault):
    # Theo is never named in the owner's words: only his chat line says who he is
    ans = _ask(persona_vault, "Who is Theo?")
    assert ans.remembered and "quartet rehearsal" in ans.text and "Theo wrote" in ans.text, ans.text


def test_a_mood_is_looked_for_across_the_life_in_the_owners_words(persona_vault):
    ans = _ask(persona_vault, "what made you happy?")
    assert ans.remembered and "roses first prize" in ans.text, ans.text
    never = _ask(persona_vault, "when were you lonely?")
    assert not never.remembered and never.text == "I don't remember saying when I was lonely."


def test_a_follow_up_is_understood_from_the_session(persona_vault):
    first = _ask(persona_vault, "what does Ruth want me to do on Friday?")
    assert "airport" in first.text
    history = [{"role": "user", "content": "what does Ruth want me to do on Friday?"},
               {"role": "assistant", "content": first.text}]
    why = _ask(persona_vault, "and why?", history=history)
    assert why.remembered and "car failed" in why.text


def test_an_ungrounded_lead_is_never_kept_and_the_persona_has_a_name(persona_vault):
    ans = _ask(persona_vault, "what did I repot?")
    assert "Something unrelated" not in ans.text and "fig tree" in ans.text
    llm = persona_vault.hubs[-1].llm
    assert llm.calls and llm.calls[-1]["messages"][0]["content"].startswith("You are Ada.")
    assert "owner of this sideload" not in json.dumps(llm.calls)


def test_a_familys_question_is_searched_in_the_owners_own_words():
    from sideload.persona.perspective import owner_perspective

    assert owner_perspective("Dad, where did you and Mum live before you got the house?") == \
        "where did I and my wife live before I got the house?"
    assert owner_perspective("Where did Grandad go after Uncle Robert died?") == "Where did my father go after Robert died?"
    assert owner_perspective("What did your mother give you?") == "What did my mother give me?"
    assert owner_perspective("What did our uncle say to your brother?") == "What did my brother say to my brother?"
    assert owner_perspective("Who was Balty?") == "Who was Balty?"
    # the verb follows the person: "were you" is "was I", "are you" is "am I"; "you" last is "me"
    assert owner_perspective("What play were you watching?") == "What play was I watching?"
    assert owner_perspective("how are you feeling today?") == "how am I feeling today?"
    assert owner_perspective("Who made your wig, and what did it set you back?") == \
        "Who made my wig, and what did it set me back?"


def test_whose_life_it_is_is_guessed_from_the_chats_and_confirmed_not_set(tmp_path, home):
    from sideload.persona import owner_name

    chats = tmp_path / "chats"
    chats.mkdir()
    for partner, lines in (("Maria", 3), ("Tom", 2), ("Mum", 2)):
        text = "".join(f"02/03/2026, 18:0{i} - {who}: line {i} to {partner}\n"
                       for i in range(lines) for who in ("Sam Reed", partner))
        (chats / f"WhatsApp Chat with {partner}.txt").write_text(text, encoding="utf-8")
    context = fake_context(tmp_path / "vault")
    with context.init() as v:
        context.import_session(v, JobContext()).run([chats])
        found = owner_name.guess(v.db)
        assert found and found.name == "Sam Reed" and "3 of the 3 chats" in found.why
        assert v.settings["owner_name"] == ""  # only offered, never set silently


def test_whose_life_it_is_is_guessed_from_their_own_words_or_not_at_all(tmp_path, home):
    from sideload.persona import owner_name

    diary = tmp_path / "d.jsonl"
    diary.write_text("\n".join(json.dumps({"date": f"2026-02-1{i}", "text": t}) for i, t in enumerate([
        "This is great weather.", "My name is Ada Byron, and this is my diary.", "I am Tired today."])) + "\n")
    context = fake_context(tmp_path / "vault")
    with context.init() as v:
        assert owner_name.guess(v.db) is None  # nothing imported: no guess
        context.import_session(v, JobContext()).run([diary])
        found = owner_name.guess(v.db)
        assert found and found.name == "Ada Byron", found


def test_ways_of_speaking_are_said_so_a_reader_understands_them(tmp_path, home):
    from sideload.persona import profile

    chat = tmp_path / "WhatsApp Chat with Sam.txt"
    lines = ["I will bring the new balls.", "I will call you later.", "I will be there at ten.",
             "The tennis club opens at ten.", "See you at the tennis club.", "Meet me by the tennis club gate."]
    chat.write_text("".join(f"02/03/2026, 18:0{i} - Alex: {t}\n" for i, t in enumerate(lines)), encoding="utf-8")
    context = fake_context(tmp_path / "vault")
    with context.init() as v:
        v.settings.set("owner_name", "Alex")
        v.settings.save()
    with context.open(write=True) as v:
        context.import_session(v, JobContext()).run([chat])
        profile.distil(v)
        speech = {f["key"]: f["value"] for f in profile.facts(v.db) if f["kind"] == "speech"}
    assert speech["sentence length"].startswith("I speak in sentences of about")
    assert "vocabulary" not in speech  # 40 words say nothing about a vocabulary
    assert speech["phrases I often use"] == "\u201ctennis club\u201d" and "i will" not in str(speech)


def test_a_quoted_passage_ends_where_its_sentence_does():
    from sideload.persona.phrasing import whole_sentences

    text = ("Up and to the office. Thence with Sir W. Penn to the Opera, and there saw Romeo and Juliet, the first "
            "time it was ever acted; but it is a play of itself the worst that ever I heard in my life. So home.")
    cut_at = text.index("acted;") + len("acted;")
    # a passage cut at the semicolon is quoted to the sentence's end, and from its start ("Sir W." is no end)
    assert whole_sentences(text, text.index("there saw"), cut_at) == text[text.index("Thence"):text.index(" So home")]
    assert whole_sentences(text, text.index("So home"), len(text)) == "So home."  # already whole


def test_a_quote_takes_the_sentence_before_it_whole_and_a_long_one_from_its_clause():
    from sideload.persona.phrasing import whole_sentences

    said = "My Lord Ashly will get money if it be to be got.\u201d "
    text = said + "But that that put us into this great melancholy, was news brought today. So home."
    # the sentence before, whole, closing quotation mark and all (it began the quote with a lone one)
    quote = whole_sentences(text, text.index("But"), text.index(" So home"), around=1)
    assert quote == text.strip()
    cellar = ("I abroad, " + "only taking notice, " * 12 + "that I have two tierces of Claret, two quarter casks of "
              "Canary, and a smaller vessel of Sack; a vessel of Tent, another of Malaga, all in my wine cellar together.")
    # the sentence began beyond reach: the quote goes back to its first clause within reach, not from "a vessel"
    quote = whole_sentences(cellar, cellar.index("a vessel of Tent"), len(cellar), reach=200)
    assert quote.startswith("only taking notice") and "Claret" in quote
    assert len(quote) <= 200 + len(cellar) - cellar.index("a vessel of Tent")


def test_a_stop_before_a_small_letter_ends_no_sentence_of_a_quote():
    from sideload.persona.phrasing import whole_sentences

    text = ("At the office all the morning. Thence to Hunt's, and there found my Theorbo done, which pleases me "
            "very well, and costs me 26s. to the altering. But now he tells me it is as good a lute as any.")
    # the passage was cut after "26s.": its quote goes back to where the sentence begins
    quote = whole_sentences(text, text.index("to the altering"), text.index(" But now"))
    assert quote == text[text.index("Thence"):text.index(" But now")]


def test_a_quote_of_a_sentence_that_runs_on_stops_at_a_clause_not_at_a_colon():
    from sideload.persona.phrasing import whole_sentences

    seen = ("where the men and boys in their veils, and the women behind a lattice out of sight; and some things "
            "stand up, which I believe is their Law, in a press to which all coming in do bow; ")
    text = ("Thence home and after dinner my wife and I to the Jewish Synagogue: " + seen
            + "and at the putting on their veils do say something, " * 8 + "and so home.")
    cut_at = text.index(":") + 1
    quote = whole_sentences(text, 0, cut_at, reach=300)
    # no full stop within reach: the quote goes on to the last semicolon within it, not stopping at "Synagogue:"
    assert quote == text[:cut_at] + " " + seen.strip()
    assert whole_sentences("Up early; to the office.", 0, 9) == "Up early; to the office."  # a stop in reach wins


def test_a_verdict_after_a_semicolon_is_in_the_answer(tmp_path, home):
    filler = " ".join(f"Then to the office and sat with the board about the {w} accounts till noon." for w in
                      ("hemp", "timber", "victualling", "pay", "ropeyard", "dockyard", "tar"))
    entry = (f"{filler} After dinner my wife and I to the Opera, and there saw Romeo and Juliet, the first time it "
             "was ever acted; but it is a play of itself the worst that ever I heard in my life, and the worst acted "
             f"that ever I saw these people do. {filler}")
    context = _diary_vault(tmp_path, [("1662-03-01", entry)])
    answer = _ask(context, "What did you make of Romeo and Juliet when you saw it?")
    assert answer.remembered and "the worst that ever I heard" in answer.text


def test_a_name_is_known_in_the_form_the_owner_writes_it():
    from sideload.persona.perspective import in_known_forms

    known = ["Sir W. Penn", "W. Hewer", "Mr. Povy"]
    assert in_known_forms("What did I think of Sir William Penn?", known) == "What did I think of Sir W. Penn?"
    assert in_known_forms("What was Will Hewer to me?", known) == "What was W. Hewer to me?"
    # without the title it may be someone else (his son William Penn); another initial is someone else
    assert in_known_forms("Did I meet William Penn or Sir Walter Hewer?", ["Sir W. Penn", "Sir J. Hewer"]) == \
        "Did I meet William Penn or Sir Walter Hewer?"


def test_who_someone_was_is_answered_from_what_the_owner_called_them(tmp_path, home):
    from sideload.persona import profile
    from sideload.persona.profile import mentions_in

    found = mentions_in("This evening my wife’s brother, Balty, came to me. Home with my servants, W. Hewer, "
                        "Sarah and Nell; my brother-in-law Balty stayed.", "me")
    assert ("person", "Balty", "wife's brother") in found and ("person", "W. Hewer", "servant") in found
    assert ("person", "Balty", "brother-in-law") in mentions_in("My brother-in-law Balty stayed.", "me")
    context = _diary_vault(tmp_path, [
        ("1660-06-28", "Lonely all night. This evening my wife's brother, Balty, came to me to get a place."),
        ("1660-07-02", "To the play with my wife, Sir W. Penn and I sitting in the pit."),
        ("1660-08-01", "At noon dined with my wife's brother, Balty, who is going to sea."),
        ("1660-09-01", "Balty came again about his place at sea; my wife pleased.")], lead="Balty was my uncle.")
    answer = _ask(context, "Dad, who was Balty?")
    assert answer.text.startswith("Balty was my wife's brother.")
    assert answer.citations[0]["started_at"].startswith("1660-06-28")  # where I first said so
    # a name the vault never holds is not remembered, rather than the nearest stranger quoted
    stranger = _ask(context, "Who was Deb Willet, the girl who came to live with us as Mum's companion?")
    assert not stranger.remembered and stranger.text == "I don't remember anyone called Deb Willet."
    # a follow-up asks about its own person, not the stranger before it
    history = [{"role": "user", "content": "Who was Deb Willet?"}, {"role": "assistant", "content": stranger.text}]
    assert _ask(context, "and who was Balty?", history=history).text.startswith("Balty was my wife's brother.")
    # said once, in a list ("my wife, Sir W. Penn and I"), is no relation; a title is no relation either
    assert "my wife" not in _ask(context, "Who was Sir W. Penn?").text.split("\n")[0]
    # a vault read by the older reader is read again, once, by the better one
    with context.open(write=True) as v:
        v.db.execute("DELETE FROM kv WHERE key = 'profile_reader'")
        v.db.execute("DELETE FROM mentions WHERE detail = 'wife''s brother'")
        v.db.commit()
        profile.distil(v)
    assert _ask(context, "What was Balty to you?").text.startswith("Balty was my wife's brother.")
    # the owner's word on who someone is wins, and a person the owner removed is not explained
    with context.open(write=True) as v:
        profile.correct(v, "person", "Balty", "my brother-in-law, who went to sea")
    assert _ask(context, "Who was Balty?").text.startswith("Balty was my brother-in-law, who went to sea.")
    with context.open(write=True) as v:
        profile.remove(v, "person", "Balty")
    assert "wife's brother" not in _ask(context, "Who was Balty?").text.split("\n")[0]


def test_last_christmas_is_the_newest_christmas_in_the_record():
    from datetime import date

    from sideload.recall.timephrases import parse

    days = ["1665-12-25", "1666-12-20", "1666-12-21"]  # the record ends before Christmas 1666
    text, tf = parse("What did you do last Christmas?", days)
    assert (tf.date_from, tf.date_to) == (date(1665, 12, 24), date(1665, 12, 28))
    assert parse("I love christmas songs", days)[1].phrases == ()


def test_a_known_first_name_inside_a_fuller_name_is_not_that_person(tmp_path, home):
    """"What did you think of John Milton?" was answered about my brother John (Milton, a place, is
    written too, so no namesake answers it)."""
    context = _diary_vault(tmp_path, [
        ("2026-03-01", "Called my sister Ruth about the move. Ruth is well."),
        ("2026-03-02", "My sister Ruth came for lunch; Ruth brought a cake."),
        ("2026-03-03", "Bought bread at Baker and Sons, then home.")])
    with context.open() as v:
        persona = context.persona(v)
        assert persona.plan("What did Ruth bring?").person == "Ruth"
        assert persona.plan("What did you think of Ruth Baker?").person != "Ruth"


def test_a_follow_up_about_him_or_her_is_about_the_person_named_before(tmp_path, home):
    """"Did you trust him?" after "who was Will Hewer?" searched for trust in general."""
    context = _diary_vault(tmp_path, [
        ("2026-03-01", "Called my sister Ruth about the move. Ruth is well."),
        ("2026-03-02", "My sister Ruth came for lunch; Ruth brought a lemon cake."),
        ("2026-03-03", "Bought bread at the baker, who brought out a fresh loaf.")])
    asked = [{"role": "user", "content": "Who is Ruth?"}, {"role": "assistant", "content": "My sister."},
             {"role": "user", "content": "When did you call?"}, {"role": "assistant", "content": "On 1 March."}]
    with context.open() as v:
        persona = context.persona(v)
        assert persona.plan("What did she bring for lunch?", asked).person == "Ruth"
        assert persona.plan("What did she bring for lunch?").person is None  # nobody named before
        assert persona.plan("What did the baker bring?", asked).person is None  # no "she": not Ruth
    answer = _ask(context, "What did she bring for lunch?", history=asked)
    assert "lemon cake" in answer.text and "loaf" not in answer.text.split("\n\n")[1].split("\n")[0]


def test_a_full_name_never_written_is_not_answered_with_a_namesake(tmp_path, home):
    """"Did you ever meet Isaac Newton?" over a diary whose only Newton is Tom quoted Tom as the answer."""
    context = _diary_vault(tmp_path, [
        ("1660-01-27", "Going to my office I met with Tom Newton, my old comrade, and gave him his morning draught."),
        ("1660-02-03", "Tom Newton came again and talked very high of the Parliament."),
        ("1660-03-01", "Dined with Matt. Wren, who is a very pretty companion."),
        ("1660-03-09", "At the Coffee-house I met Mr. Dryden the poet, whom I knew at Cambridge."),
        ("1660-04-02", "Will Hewer brought me my papers; William Hewer is a good boy.")], lead="I met Isaac Newton.")
    newton = _ask(context, "Did you ever meet Isaac Newton? What did you make of him?")
    assert not newton.remembered
    assert newton.text.startswith("I don't remember Isaac Newton. The Newton I remember is Tom Newton.")
    assert newton.citations[0]["started_at"].startswith("1660-01-27")  # where Tom is first named
    from sideload.persona.namesakes import Namesake

    smiths = ["Jeremy Smith", "George Smith", "Ann Smith", "Tom Smith"]
    assert Namesake("John Smith", smiths[:3], None).sentence().endswith(
        "The Smiths I remember are Jeremy Smith, George Smith and Ann Smith.")
    assert Namesake("John Smith", smiths, None).sentence().endswith("Ann Smith and others.")
    # cited in the whole sentence that names them: not cut at "Matt."
    wren = _ask(context, "Did you know Christopher Wren?")
    assert "The Wren I remember is Matt Wren." in wren.text and "Matt. Wren, who is" in wren.text
    # a surname written nowhere: nobody of that name
    assert _ask(context, "Did you ever meet Robert Boyle?").text == "I don't remember anyone called Robert Boyle."
    # "Mr. Dryden" names no other Dryden; another form of the first name is the same person; a street
    # or a society is no person: each is left to search
    with context.open() as v:
        persona = context.persona(v)
        for question in ("Did you know the poet John Dryden?", "What did Bill Hewer bring you?",
                         "Did you ever go to the Royal Society?", "Will Tom come to dinner?"):
            assert persona.plan(question).kind not in ("namesake", "stranger"), question
    assert "Dryden the poet" in _ask(context, "Did you know the poet John Dryden?").text


def test_a_name_the_record_never_holds_is_said_so_and_the_nearest_memory_is_not_claimed(tmp_path, home):
    """"What was it like being the Member of Parliament for Castle Rising?" quoted Mr. Castle's ship
    draught as the answer. The nearest memories are still shown, under a true first sentence."""
    context = _diary_vault(tmp_path, [
        ("1665-01-11", "To Gresham College, taking Mr. Castle with me to discourse over his draught of a ship."),
        ("1665-06-03", "All this day by all people upon the River and almost everywhere else hereabout were heard "
                       "the guns, our two fleets for certain being engaged."),
        ("1665-06-08", "To the Navy Office, where we sat; then to the Tower, and so home."),
        ("1665-06-09", "With the Royal Society at Gresham College, where I saw a fine experiment.")],
        lead="I was proud to sit for Castle Rising.")
    seat = _ask(context, "What was it like being the Member of Parliament for Castle Rising?")
    assert not seat.remembered
    assert seat.text.startswith("I never wrote the words “Member of Parliament” or “Castle Rising”. This is the "
                                "nearest I remember.")
    assert "proud to sit" not in seat.text and seat.citations  # no lead from the model; the memories shown
    battle = _ask(context, "Did you hear the guns of the Battle of Lowestoft all day upon the River?")
    assert battle.text.startswith("I never wrote the words “Battle of Lowestoft”.") and "the guns" in battle.text
    assert _ask(context, "Were the Lowestoft Herring Fair stalls busy?").text == (
        "I never wrote the words “Lowestoft Herring Fair”. Nothing I remember comes near it.")
    from sideload.persona.unwritten import _names, unwritten_names

    assert _names("What did Maria say of the Q3 Budget Review?") == ["Budget Review"]  # "Q3" joins no name

    with context.open() as v:
        assert unwritten_names(v.db, "What did you think of Dryden's All for Love, and Antony and Cleopatra?") == [
            "All for Love"]
    # each name written, a person, or names side by side: answered as before
    for question in ("Did you go to the Royal Society at Gresham College?", "What did you do at the Navy Office?",
                     "Did you ever meet Isaac Newton?", "Did Castle, Gresham and Tower come?",
                     "What did Mum say about the guns?"):
        assert "never wrote the words" not in _ask(context, question).text, question


def test_whether_the_owner_had_something_is_told_from_what_they_called_theirs(tmp_path, home):
    """"Did you have any children?" quoted a lady's children at dinner. It is answered from what the
    owner calls theirs ("our dog", "my canary"), counted and cited, and said so where they never did."""
    context = _diary_vault(tmp_path, [
        ("1661-01-25", "This night comes two cages for my canary birds, which Captain Rooth sent me."),
        ("1661-06-10", "Dined with my Lady, and the children and I dined by ourselves, very merry."),
        ("1663-07-26", "We walked in the wood, and our little dog with us, losing ourselves for an hour."),
        ("1664-03-02", "Home, and found our dog had got into the larder and eaten the pie."),
        ("1664-05-01", "Played on my lute till bedtime.")], lead="I had three sons.")
    children = _ask(context, "Did you have any children?")
    assert children.text == "I never wrote of any children of my own." and not children.remembered
    pets = _ask(context, "Dad, did you keep any pets?")
    assert pets.remembered and pets.text.startswith("Yes. I wrote of our dog in 2 moments and my canary once.")
    assert "our little dog with us" in pets.text and "my canary birds" in pets.text and "sons" not in pets.text
    assert {c["started_at"][:10] for c in pets.citations} >= {"1663-07-26", "1661-01-25"}
    assert _ask(context, "Did you have a lute?").text.startswith("I wrote of my lute once.")
    assert _ask(context, "Did you ever own a car?").text == "I never wrote of a car of my own."
    with context.open() as v:
        persona = context.persona(v)
        for question in ("Did you have a good time?", "Did you have dinner with my Lady?", "Did you have a cold?"):
            assert persona.plan(question).kind != "belonging", question


def test_a_favourite_is_where_the_owner_called_one_the_best(tmp_path, home):
    """"What was your favourite play?" quoted any entry where a play was seen; it is answered from where
    the owner praised one, and a verdict against, or praise of something else beside it, is none."""
    context = _diary_vault(tmp_path, [
        ("1661-03-01", "To the Theatre and saw The Bondman, the best play that ever I saw, and well acted."),
        ("1662-09-29", "To the King's Theatre, where we saw Midsummer Night's Dream, which I had never seen "
                       "before, nor shall ever again, for it is the most insipid ridiculous play that ever I saw."),
        ("1663-04-01", "Saw a play at the Duke's house; the actors told us the best story that ever I heard."),
        ("1664-02-02", "My wife in her best gown to church with me, and a good sermon."),
        ("1665-01-21", "Read Mr. Hooke's Microscopical Observations, the most ingenious book that ever I read.")],
        lead="My favourite was Hamlet.")
    play = _ask(context, "What was your favourite play?")
    assert play.remembered and play.text.startswith("I praised a play as the best, or near it, once.")
    assert "The Bondman" in play.text and "Hamlet" not in play.text and "insipid" not in play.text
    assert [c["started_at"][:10] for c in play.citations] == ["1661-03-01"]
    assert "Microscopical" in _ask(context, "Which book did you like best?").text
    with context.open() as v:  # none praised: left to what was said of churches at all
        persona = context.persona(v)
        assert persona.plan("What was your favourite church?").kind == "feeling"
        # how someone looked is no feeling: "what did you look like?" was answered "In my own words"
        assert persona.plan("What did you look like?").kind != "feeling"
        assert persona.plan("Did you like the play?").kind == "feeling"


def test_the_owners_work_is_the_posts_they_named_as_theirs(tmp_path, home):
    """"What was your job?" quoted carpenters laying a floor ("my workmen"); it is answered from the
    posts the owner names as theirs, and left to search where they name none."""
    context = _diary_vault(tmp_path, [
        ("2023-05-05", "I worked at the Royal Infirmary for ten years before this."),
        ("2024-01-10", "First week in my new job as Head of Sales; the team is kind."),
        ("2024-02-01", "Long day. My job as Head of Sales means too many meetings."),
        ("2024-03-03", "The carpenters laid the floor in my office while my workmen watched.")], lead="I was a carpenter.")
    job = _ask(context, "Dad, what did you do for a living?")
    assert job.remembered and job.text.startswith(
        "I wrote of my work as Head of Sales (2 moments) and at the Royal Infirmary.")
    assert "carpenter" not in job.text and {c["started_at"][:10] for c in job.citations} == {"2024-01-10", "2023-05-05"}
    (tmp_path / "plain").mkdir()
    plain = _diary_vault(tmp_path / "plain", [("2024-03-03", "The carpenters laid the floor in my office.")])
    with plain.open() as v:
        assert plain.persona(v).plan("What was your job?").kind != "work"


def test_kin_asked_by_relation_are_named_from_what_the_owner_called_them(tmp_path, home):
    """"Who was your brother?" quoted whatever mentioned a brother; now the people the owner calls so,
    at least twice ("my wife, Ann and I" is a list, not a marriage)."""
    from sideload.persona import profile
    from sideload.persona.profile import mentions_in

    for listed in ("my wife, Ashwell, and I to bed", "my wife, Sir W. Penn and I", "my wife, Ashwell, and the boy",
                   "Creed, my wife, and I to Cornhill", "with Creed, my wife, and Mercer to a play",
                   "to my Lord Sandwich, my wife would needs go"):
        assert all(detail != "wife" for kind, _, detail in mentions_in(listed, "me")), listed
    assert ("person", "W. Hewer", "clerk") in mentions_in("my clerk, W. Hewer, and so to the park", "me")

    context = _diary_vault(tmp_path, [
        ("1662-01-02", "Supped with my brother Tom, who is to be a tailor."),
        ("1662-01-09", "My brother Tom came about his shop."),
        ("1662-02-01", "Walked with my brother Tom to the Exchange."),
        ("1662-02-03", "A letter from my brother John at Cambridge."),
        ("1662-02-05", "My cousin Roger came about the house."),
        ("1662-02-06", "Dined with my cousin Roger Pepys at the Temple."),
        ("1662-02-07", "My cousin Roger Pepys again, about my uncle's will."),
        ("1662-03-01", "To church with my wife, Ann and I sitting together."),
        ("1662-03-08", "Dined with my wife, Ann and I merry."),
        ("1662-03-09", "My sister Pall came to stay."),
        ("1662-03-10", "My sister Pall went home."),
        ("1662-03-11", "A letter from my aunt Ellen about the cherries."),
    ], lead="My brother was a sailor.")
    brother = _ask(context, "Who was your brother?")
    assert brother.text.startswith("My brother was Tom.\n"), brother.text  # John, said once, is not sure
    assert _ask(context, "What was your sister's name?").text.startswith("My sister was Pall.")
    assert brother.citations[0]["started_at"].startswith("1662-01-02")  # where I first said so
    assert _ask(context, "who were your brothers?").text.startswith("My brother was Tom.")
    assert _ask(context, "What was your cousin called?").text.startswith("My cousin was Roger Pepys.")
    never = _ask(context, "What was your uncle's name?")
    assert never.text == "I don't remember ever saying who my uncle was." and not never.citations
    # spoken of only without a name (or a name too seldom beside it: "my father Bowyer" 7 times, "my
    # father" 416), said so
    assert _ask(context, "What was your wife's name?").text == "I wrote of my wife in 2 moments, but seldom or never by name."
    assert "cherries" in _ask(context, "Who was your aunt?").text  # named once: search answers
    with context.open(write=True) as v:
        profile.remove(v, "person", "Tom")
    assert not _ask(context, "Who was your brother?").text.startswith("My brother was Tom")


def test_a_quote_holds_the_kind_of_word_that_answers():
    from sideload.persona.phrasing import answer_kind, excerpt

    text = ("So to the office, where we sat all the morning about the victualling of the fleet. Then home to dinner "
            "with my wife, and after dinner to the office again about the ships. The news of the ships is very good "
            "and the Dutch beaten. We took and sunk 24 of their best ships, and killed many men. So home to bed.")
    terms = ["many", "ships", "dutch"]
    assert "24" in excerpt(text, terms, limit=80, answer=answer_kind("how many of their ships did we sink?"))
    assert "24" not in excerpt(text, terms, limit=80)  # the most of its words alone
    assert answer_kind("what did the dentist say?") is None
    # a day's ordinal is no number that answers: "21st." does not win over the price
    dated = ("Up and to the office about the business all the morning. Thence on the 21st I went to see Turner "
             "hanged at St. Mary Axe. I paid a shilling to stand upon the wheel of a cart. " + "So home. " * 12)
    quote = excerpt(dated, ["paid", "turner", "hanged", "stand"], limit=70, answer=answer_kind("how much did I pay?"))
    assert "shilling" in quote
    story = ("Mr. Brisband tells me a strange story of his boyhood at Bordeaux, told over supper. He saw four little "
             "girls lift a heavy man with one finger each, saying words over him. " + "So home. " * 30)
    assert "Brisband" in excerpt(story, ["girls", "lift", "man", "finger"], limit=170)  # who "he" was


def test_a_sum_past_the_cut_of_a_long_sentence_is_quoted():
    """"How much had I saved?" shares no word with the year's reckoning, and its sum stands 270
    characters into a 468-character sentence: the quote holds the sum, not the date line before it."""
    from sideload.persona.phrasing import answer_kind, excerpt

    text = ("31st. At the office all the morning, and after dinner there again, dispatched first my letters, and "
            "then to my accounts, not of the month but of the whole yeare also, and was at it till past twelve at "
            "night, it being bitter cold; but yet I was well satisfied with my worke, and, above all, to find "
            "myself, by the great blessing of God, worth £1,349, by which, as I have spent very largely, so I have "
            "laid up above £500 this yeare above what I was worth this day twelvemonth. The Lord make me forever "
            "thankful to his holy name for it!")
    question = "How much had I saved up?"
    quote = excerpt(text, ["saved"], limit=320, answer=answer_kind(question))
    assert "£1,349" in quote and len(quote) <= 330
    assert "£1,349" not in excerpt(text, ["saved"], limit=320)  # no kind asked for: from the sentence's start


def test_a_form_of_address_is_part_of_a_name_not_a_relation():
    """"my Lady Batten" is Lady Batten, not Sir W. Batten as "my lady"; "my Lord Sandwich" is no relation;
    "St. James's Park" names no one."""
    from sideload.persona.profile import mentions_in

    found = mentions_in("I went with my Lady Batten and my Lord Sandwich to Sir W. Batten's, "
                        "and my clerk, W. Hewer, and so to St. James's Park.", "me")
    people = {key: detail for kind, key, detail in found if kind == "person"}
    assert people == {"Lady Batten": "", "Lord Sandwich": "", "Sir W. Batten": "", "W. Hewer": "clerk"}


def test_the_memories_beside_the_best_are_those_that_hold_the_answer():
    from sideload.persona.choosing import beside_the_best as _beside_the_best

    def hit(i, text):
        return {"moment_id": str(i), "text": text}
    hits = [hit(0, "Sir W. Warren came to the office about the masts and gloves."),
            hit(1, "To the office all the morning about the masts."),
            hit(2, "Dined with my wife and walked in the garden."),
            hit(3, "Sir W. Warren gave me a pair of gloves for my wife, with forty pieces of gold in them."),
            hit(4, "Home to supper and to bed.")]
    chosen = _beside_the_best("who gave me gloves with gold coins in them, and how many coins?", hits)
    assert [m["moment_id"] for m in chosen] == ["0", "1", "3"]  # search's best stays first; the rest in its order
    assert _beside_the_best("anything", hits[:3]) == hits[:3]


def test_the_best_memory_is_quoted_again_where_it_holds_what_its_quote_lacks():
    """A long entry's nearest passage holds the subject ("Turner hanged"); the fact (how much, where
    he stood) two sentences on. Pepys, 21 January 1664, shortened."""
    from sideload.persona.choosing import elsewhere_in as _elsewhere_in
    from sideload.persona.phrasing import answer_kind
    from sideload.recall.words import keyword_terms

    text = ("Up, and after sending my wife to my aunt Wight's to get a place to see Turner hanged, I to the "
            "office. At noon I found that Turner was not yet hanged. And so I went among them to Leadenhall "
            "Street, near where the robbery was done. And there I got for a shilling to stand upon the wheel "
            "of a cart, in great pain, above an houre before the execution was done. Dr. Burnett did tell me "
            "how the sheriffs did endeavour to get one jewel returned by Turner.")
    start = text.index("Up,")
    end = text.index("And so I")
    best = {"moment_id": "m", "text": text, "passage": {"start": start, "end": end, "text": text[start:end]}}
    question = "I paid to get a good view when that robber Turner was hanged. How much, and where did I stand?"
    terms = keyword_terms(question)
    quote = text[start:end].strip()
    more = _elsewhere_in((best, quote), terms, answer_kind(question))
    assert more is not None and "a shilling to stand upon the wheel" in more[1]
    assert more[0]["moment_id"] == "m" and text[more[0]["passage"]["start"]:].startswith("And there I got")
    # a quote that already holds the fact is not quoted twice, nor a short moment with no passage
    whole = {"start": 0, "end": len(text), "text": text}
    assert _elsewhere_in(({**best, "passage": whole}, text), terms, answer_kind(question)) is None
    assert _elsewhere_in(({"moment_id": "s", "text": "Home to bed."}, "Home to bed."), terms, None) is None


def test_money_questions_want_a_sum_not_any_number():
    from sideload.persona.phrasing import answer_kind, holds_kind

    money = answer_kind("How much did it cost you to have your lute reworked?")
    assert holds_kind("it costs me 26s. to the altering", money) and holds_kind("I got for a shilling to stand", money)
    assert holds_kind("worth £858", money) and not holds_kind("to get one jewel returned", money)
    assert not holds_kind("on the 21st I paid him", money)  # a day's ordinal is no sum
    assert holds_kind("one jewel", answer_kind("how many jewels were there?"))
    # spending a sum, not spending a day: "how did you spend Christmas?" asks for no sum
    for question in ("How much did you spend in 1664?", "What did you spend on clothes?"):
        assert answer_kind(question) is money, question
    for question in ("How did you spend Christmas 1662?", "Where did you spend Sunday?"):
        assert answer_kind(question) is not money, question


def test_a_review_of_the_period_asked_about_stands_among_the_first_five():
    from datetime import date
    from types import SimpleNamespace

    from sideload.recall import reviews

    assert reviews.looks_back("Thus ends this month, with my house full of workmen")
    assert reviews.looks_back("I have this year saved 300l.") and not reviews.looks_back("a month's pay")
    assert reviews.asks_about_a_period(date(1662, 6, 1), date(1662, 8, 31))
    assert not reviews.asks_about_a_period(date(1662, 6, 1), date(1662, 6, 7))
    assert not reviews.asks_about_a_period(None, None)
    hits = [SimpleNamespace(name=i, score=1.0 - i / 10, review=i == 8) for i in range(10)]
    moved = reviews.review_among_first(hits)
    assert [h.name for h in moved] == [0, 1, 2, 3, 8, 4, 5, 6, 7, 9]
    assert all(a.score >= b.score for a, b in zip(moved, moved[1:]))  # still reads by score
    early = [SimpleNamespace(name=i, score=1.0 - i / 10, review=i == 2) for i in range(10)]
    assert reviews.review_among_first(early) == early  # already among the first: left where search put it


def test_a_review_is_a_look_back_written_at_a_months_end_and_is_found_below_the_cut():
    from types import SimpleNamespace

    from sideload.recall import reviews

    assert reviews.is_review("1662-07-31", "Thus ends this month, with my house full of workmen")
    assert reviews.is_review("1665-01-01", "So ends the old year")  # the first of the next month too
    assert reviews.is_review("1664-02-29", "this month I have spent much")  # a leap year's last day
    assert not reviews.is_review("1662-06-12", "I must go to Brampton this month")  # a plan, not a reckoning
    assert not reviews.is_review("1662-07-31", "Up and to the office") and not reviews.is_review("", "this year")
    texts = {1: ("1662-07-30", "To the office."), 2: ("1662-06-12", "to Brampton this month"),
             3: ("1662-07-31", "Thus ends this month"), 4: ("1662-08-31", "Thus ends the month")}
    asked = []

    def fetch(rids):
        asked.append(list(rids))
        return {r: {"day": texts[r][0], "text": texts[r][1]} for r in rids}
    rows = fetch([1])
    above, rest = [SimpleNamespace(rid=1)], [SimpleNamespace(rid=r) for r in (2, 3, 4)]
    found = reviews.below_the_cut(above, rest, rows, fetch, chunk=2)
    assert [h.rid for h in found] == [3] and 3 in rows  # the best-ranked review below; its row joins
    assert asked[1:] == [[2, 3]]  # read a chunk at a time, no further than needed
    assert reviews.below_the_cut([SimpleNamespace(rid=3)], rest, rows, fetch) == []  # one above already


def test_the_gate_keeps_searchs_first_within_a_time_asked_about():
    from sideload.persona.choosing import kept as _kept

    def hit(name, dense, review=False):
        return {"moment_id": name, "evidence": {"dense": dense, "weighted_coverage": 0.1}, "review": review}
    hits = [hit("kiss", 0.37), hit("frost", 0.41), hit("other", 0.2), hit("reckoning", 0.3, review=True)]
    assert [h["moment_id"] for h in _kept(hits, dated=False)] == ["frost", "reckoning"]
    assert [h["moment_id"] for h in _kept(hits, dated=True)] == ["kiss", "frost", "reckoning"]
    # nothing relevant within the time: nothing kept (the persona then asks again without the dates)
    assert _kept([hit("kiss", 0.37), hit("other", 0.2)], dated=True) == []


def test_a_moment_quoted_twice_reopens_at_its_first_quote():
    from sideload.persona.sessions import _first_passages

    cited = [{"moment_id": "a", "passage": {"start": 10, "end": 90}}, {"moment_id": "b"},
             {"moment_id": "a", "passage": {"start": 400, "end": 480}}]
    assert _first_passages(cited) == {"a": [10, 90]}


def test_a_word_the_vault_spells_otherwise_is_found_as_the_vault_spells_it(persona_vault):
    """"Monck" for the diary's "Monk", or a typo: the keyword legs look for the vault's own spelling,
    one letter added or dropped inside the word (a changed letter, or one added at the end, too often
    makes another word: "career" and "carter")."""
    from sideload.recall.search import SearchRequest
    from sideload.recall.spelling import spelt_otherwise

    assert spelt_otherwise("monck", "monk") and spelt_otherwise("willet", "willett")
    assert not spelt_otherwise("career", "carter") and not spelt_otherwise("clever", "cleve")
    with persona_vault.open() as v:
        searcher = persona_vault.persona(v).searcher
        assert searcher.spellings.nearest("suitcasse") == ["suitcase"]  # "suitcas" as the index stems it
        assert searcher.spellings.nearest("quartett") == ["quartet"]
        assert searcher.spellings.nearest("swimm") == ["swim"]  # a letter doubled
        assert searcher.spellings.nearest("figg") == []  # too short a word to trust one letter
        hits = searcher.search(SearchRequest("my suitcasse", mode="keyword"))
        assert hits and "suitcase" in hits[0]["text"]
        assert not searcher.search(SearchRequest("my suitcouse", mode="keyword"))  # two letters off
        # a word the vault writes as two ("cockfight": the diary's "cock-fighting") is looked for as
        # the two, together, and a quote is chosen by them
        hits = searcher.search(SearchRequest("the figtree", mode="keyword"))
        assert hits and "fig tree" in hits[0]["text"]
        assert searcher.as_written(["figtree", "repot"]) == ["figtree", "repot", "fig", "tree"]
        assert not searcher.search(SearchRequest("the treefig", mode="keyword"))  # never written so


def test_a_verb_the_vault_holds_only_in_another_form_is_found_in_that_form(tmp_path, home):
    """"What did I buy?" of a day that "bought sourdough bread" said it did not remember: no stem joins
    "buy" and "bought". A word the vault never holds is looked for in the forms it does hold."""
    context = _diary_vault(tmp_path, [
        ("2026-03-02", "Walked home past the library and bought sourdough bread at the bakery on the corner."),
        ("2026-03-03", "Rain all day; the quartet rehearsal moved to the church hall.")])
    answer = _ask(context, "What did I buy?")
    assert answer.remembered and "sourdough" in answer.text
    with context.open() as v:
        searcher = context.persona(v).searcher
        assert searcher.spellings.respelt(["buy", "rain"], lambda t: t in ("bought", "rain")) == ["bought", "rain"]
        assert searcher.spellings.respelt(["buy"], lambda t: t in ("buy", "bought")) == ["buy"]  # held as asked


def test_a_date_line_is_quoted_with_the_start_of_what_follows():
    """A diary's day begins "March 1st." and then one long sentence: a quote of the day is not
    "March 1st. …" alone."""
    from sideload.persona.phrasing import excerpt

    day = ("March 1st. Up and to the office, where we sat all the morning, and at noon to the 'Change, and "
           + "after much business " * 30 + "home to bed. So to sleep.")
    quote = excerpt(day, [], limit=320)
    assert quote.startswith("March 1st. Up and to the office") and quote.endswith("…") and len(quote) <= 322


def test_who_am_i_is_answered_with_the_owners_name(persona_vault, tmp_path):
    for q in ("Who am I?", "who are you", "What's my name?"):
        answer = _ask(persona_vault, q)
        assert answer.text == "I am Ada." and not answer.citations, answer.text
    (tmp_path / "n").mkdir()
    nameless = _diary_vault(tmp_path / "n", [("2026-03-01", "Repotted the fig tree.")])
    assert "don't know my own name" in _ask(nameless, "who am I?").text
    assert "Ada" not in _ask(persona_vault, "who am I talking to about the fig tree?").text  # not that question


def persona_vault_of_one_day(tmp_path):
    (tmp_path / "one").mkdir()
    return _diary_vault(tmp_path / "one", [("2026-03-02", "Ate a venison pie at the pub after the swim.")])


def test_a_time_outside_the_record_is_said_so_not_answered_from_another(tmp_path, home):
    """"What did I eat on New Year's Day 1661?" over a diary that begins in December 1661 quoted
    venison pasties of September 1662 under the lead "I ate a couple of venison pasties". A time
    wholly before the first memory or after the last is said so, with the span remembered; a memory
    that speaks of that time in the words asked still answers."""
    context = _diary_vault(tmp_path, [
        ("2026-02-20", "So happy today: the garden club gave my roses first prize."),
        ("2026-03-01", "Dinner with Ruth. We laughed about our wedding in 1999, when the marquee blew away."),
        ("2026-03-02", "Ate a venison pie at the pub after the swim."),
    ])
    for question in ("What did I eat at Christmas 2024?", "how was March 2027?", "What did I feel in 2019?"):
        answer = _ask(context, question)
        assert not answer.citations and answer.text.startswith("I have no memories of "), answer.text
        assert "20 February 2026 to 2 March 2026" in answer.text, answer.text
    assert "Christmas 2024" in _ask(context, "What did I eat at Christmas 2024?").text
    spoken_of = _ask(context, "What happened at our wedding in 1999?")
    assert spoken_of.citations and "marquee" in spoken_of.text, spoken_of.text
    assert _ask(persona_vault_of_one_day(tmp_path), "What did I do in 2019?").text == (
        "I have no memories of 2019: all I remember is of 2 March 2026.")
    within = _ask(context, "Where did I eat the venison pie in March 2026?")
    assert within.citations and "venison" in within.text, within.text


def test_a_long_stretch_is_told_from_days_across_it_and_its_reckoning(tmp_path, home):
    """"How was 2025?" was told from the first 200 moments of the year (January to July); now from the
    fullest day of each of five stretches across all of it (a diarist writes most when something
    happened), each quoted where it says how it went, and the writer's own reckoning at its end, quoted
    from its close."""
    from datetime import date, timedelta

    from sideload.persona.stretches import fullest, period

    entries = [((date(2025, 1, 1) + timedelta(days=i)).isoformat(), "Worked at the bakery and walked the dog.")
               for i in range(364)]
    eventful = {"2025-02-10": "The river rose in the night and flooded the bakery to the counters; we carried "
                              "sacks of flour upstairs until dawn and the mayor came to look.",
                "2025-06-15": "Up at five and to the bakery, where we weighed the flour, counted the loaves, "
                              "swept the yard, mended the cart, paid the miller, fed the horse, carried the "
                              "trays to the market and back again, and so to the orchard by noon in my best "
                              "coat, the one with the brass buttons that my father left me when he died. Ruth's "
                              "wedding: the marquee blew over in the storm and we danced in the barn, and I "
                              "was never so merry in my life."}
    entries = [(d, eventful.get(d, t)) for d, t in entries]
    entries[-1] = ("2025-12-30", "Up early and to the bakery. Home at six. So ends this year, and I find myself "
                                 "richer by a new oven and poorer by the old van.")
    context = _diary_vault(tmp_path, entries)
    year = _ask(context, "How was 2025?")
    cited = [c["started_at"][:10] for c in year.citations]
    assert len(cited) == 6 and cited == sorted(cited), cited
    assert {"2025-02-10", "2025-06-15"} <= set(cited) and cited[-2] > "2025-09-01", cited
    assert cited[-1] == "2025-12-30" and "richer by a new oven" in year.text, year.text  # from its close
    assert "never so merry in my life" in year.text, year.text  # a day where it says how it went
    with context.open() as v:
        assert context.persona(v).plan("tell me about 2025").kind == "period"
    # the next year's first day looks forward ("this year I will"), and is no reckoning of the last
    with open(tmp_path / "diary.jsonl", "a", encoding="utf-8") as more:
        more.write(json.dumps({"date": "2026-01-01", "text": "New year. This year I will open a second shop."}) + "\n")
    with context.open(write=True) as v:
        context.import_session(v, JobContext()).run([tmp_path / "diary.jsonl"])
        persona = context.persona(v)
        told = period(persona.searcher, [d for d, _ in v.days()], "How was 2025?")
    assert told[-1].get("review") and told[-1]["started_at"].startswith("2025-12-30"), told[-1]
    assert fullest(["a", "b", "c", "d"], 2, {"b": 5, "c": 9}) == ["b", "c"]
    assert fullest(["a", "b"], 6, {}) == ["a", "b"]


def test_a_lead_about_someone_else_is_not_kept(tmp_path, home):
    """"Who was Will Hewer?" got the small model's "Tom Willson, Sir W. Batten's clerk": every word in
    the quote, and about another man. Asked about someone, a lead that does not name them is dropped."""
    context = _diary_vault(tmp_path, [
        ("2026-01-01", "Sam came to fix the fence with Theo, my neighbour."),
        ("2026-01-03", "Sam and Theo, my neighbour, mended the gate."),
    ], lead="Theo was my neighbour.")
    answer = _ask(context, "Who was Sam?")
    assert answer.remembered and not answer.text.startswith("Theo was my neighbour"), answer.text
    assert _ask(context, "Who was Theo?").text.startswith("Theo was my neighbour")  # about them: kept

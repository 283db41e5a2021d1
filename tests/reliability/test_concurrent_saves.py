"""Optimistic versioning under real concurrency: eight threads, eight PostgreSQL connections, three answers.

Each round, every thread reads the answer it picked, all wait at a barrier, then all save on the
version they read. Of the threads that picked one answer in a round, exactly one save is accepted and
the others get ``AnswerConflict``; no accepted save is lost and no refused save leaves a trace.
"""

import random
import threading
from collections import Counter, defaultdict

import pytest
from django.db import connection

from assessments.models import Answer, AnswerRevision
from assessments.services import AnswerConflict, answer_save
from tests.conftest import require_postgres

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

THREADS = 8
ROUNDS = 25
CHOICES = ["0", "1", "2", "3", "4", "dk", "na"]


def test_concurrent_saves_lose_no_accepted_write(submission, focal_point, second_focal_point):
    require_postgres()
    answer_ids = list(submission.answers.order_by("pk").values_list("pk", flat=True))
    assert len(answer_ids) == 3
    users = [focal_point, second_focal_point]
    start, saved = threading.Barrier(THREADS, timeout=30), threading.Barrier(THREADS, timeout=30)
    accepted, refused, picked, errors = [], Counter(), defaultdict(set), []
    lock = threading.Lock()

    def work(n):
        rng = random.Random(n)
        try:
            for round_ in range(ROUNDS):
                answer_id = rng.choice(answer_ids)
                answer = Answer.objects.select_related("submission__cycle").get(pk=answer_id)
                base_version = answer.version
                # Every attempt changes the comment, so no save is a no-op.
                comment = f"thread {n}, round {round_}"
                start.wait()
                try:
                    answer_save(
                        answer=answer,
                        choice=rng.choice(CHOICES),
                        evidence=f"Decree {n}/{round_}",
                        comment=comment,
                        base_version=base_version,
                        by=users[n % 2],
                    )
                except AnswerConflict as conflict:
                    assert conflict.current.version > base_version
                    with lock:
                        refused[answer_id] += 1
                else:
                    with lock:
                        accepted.append((answer_id, base_version + 1, comment))
                with lock:
                    picked[answer_id].add(round_)
                saved.wait()  # the next round reads what this round committed
        except Exception as exc:  # reported below; a thread's exception would otherwise vanish
            errors.append(exc)
            start.abort()
            saved.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert not any(t.is_alive() for t in threads)

    assert len(accepted) + sum(refused.values()) == THREADS * ROUNDS
    assert sum(refused.values()) > 0, "the threads never raced: the test proves nothing"
    by_answer = defaultdict(list)
    for answer_id, version, comment in accepted:
        by_answer[answer_id].append((version, comment))
    for answer_id in answer_ids:
        saves = sorted(by_answer[answer_id])
        # One accepted save per round in which any thread picked this answer.
        assert len(saves) == len(picked[answer_id])
        answer = Answer.objects.get(pk=answer_id)
        assert answer.version == len(saves)
        revisions = list(AnswerRevision.objects.filter(answer_id=answer_id).order_by("version"))
        assert [r.version for r in revisions] == list(range(1, len(saves) + 1))
        assert [(r.version, r.comment) for r in revisions] == saves
        last = revisions[-1] if revisions else None
        assert (answer.choice, answer.evidence, answer.comment) == (
            (last.choice, last.evidence, last.comment) if last else ("", "", "")
        )

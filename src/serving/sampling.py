"""Choosing the next token of each reply in a batch, each with its own sampling settings."""

from __future__ import annotations

import torch

from serving.settings import SamplingParams


def make_generator(seed: int | None) -> torch.Generator:
    """Return a CPU random generator, seeded when `seed` is given, else from the OS."""
    generator = torch.Generator()
    if seed is None:
        generator.seed()
    else:
        generator.manual_seed(seed)
    return generator


def penalize_repetition(logits: torch.Tensor, reply_ids: list[int], penalty: float) -> None:
    """Scale down, in place, the logits of tokens the reply already contains.

    Positive logits are divided by `penalty` and negative ones multiplied, so a penalty
    above 1 always makes a repeat less likely.
    """
    if penalty == 1.0 or not reply_ids:
        return
    ids = torch.tensor(sorted(set(reply_ids)), dtype=torch.long, device=logits.device)
    values = logits[ids]
    logits[ids] = torch.where(values > 0, values / penalty, values * penalty)


def banned_ngram_tokens(reply_ids: list[int], size: int) -> set[int]:
    """Return the tokens that would complete an n-gram of `size` already in the reply."""
    if size <= 0 or len(reply_ids) < size:
        return set()
    prefix = tuple(reply_ids[len(reply_ids) - size + 1 :])
    banned = set()
    for start in range(len(reply_ids) - size + 1):
        if tuple(reply_ids[start : start + size - 1]) == prefix:
            banned.add(reply_ids[start + size - 1])
    return banned


def filter_top_k_top_p(logits: torch.Tensor, top_k: int, top_p: float) -> torch.Tensor:
    """Return logits with tokens outside the top k and the top-p nucleus set to -inf."""
    if 0 < top_k < logits.numel():
        threshold = torch.topk(logits, top_k).values[-1]
        logits = logits.masked_fill(logits < threshold, float("-inf"))
    if top_p < 1.0:
        sorted_logits, order = torch.sort(logits, descending=True)
        cumulative = torch.softmax(sorted_logits, dim=-1).cumsum(dim=-1)
        # Drop a token when the tokens ranked above it already reach top_p, so the most
        # likely token always stays.
        drop_sorted = (cumulative - torch.softmax(sorted_logits, dim=-1)) >= top_p
        drop = torch.zeros_like(drop_sorted).scatter(0, order, drop_sorted)
        logits = logits.masked_fill(drop, float("-inf"))
    return logits


def choose_token(
    logits: torch.Tensor,
    reply_ids: list[int],
    params: SamplingParams,
    generator: torch.Generator,
) -> int:
    """Pick one reply's next token from its last-position logits (a 1-D tensor)."""
    logits = logits.float().clone()
    penalize_repetition(logits, reply_ids, params.repetition_penalty)
    banned = banned_ngram_tokens(reply_ids, params.no_repeat_ngram_size)
    if banned:
        logits[list(banned)] = float("-inf")
    if params.greedy:
        return int(torch.argmax(logits))
    logits = filter_top_k_top_p(logits / params.temperature, params.top_k, params.top_p)
    probabilities = torch.softmax(logits, dim=-1)
    return int(torch.multinomial(probabilities, 1, generator=generator))

"""Cross-entropy over the target tokens only, with the output layer applied only there.

A causal LM's output layer is as wide as its vocabulary (49,152 for SmolLM2), so the full
logits of a 4 x 256 batch take 200 MB in float32 and a large share of a step's time. The
loss needs them only at the target tokens. This runs the decoder body, gathers the hidden
states that predict a labelled token, and projects only those.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from transformers import PreTrainedModel

from trainer.modeling.packing import IGNORE_INDEX


def unwrap_peft(model: torch.nn.Module) -> PreTrainedModel:
    """Return the transformers model inside a peft wrapper, or the model itself."""
    get_base_model = getattr(model, "get_base_model", None)
    return get_base_model() if callable(get_base_model) else model


def project_to_vocab(model: PreTrainedModel, hidden: torch.Tensor) -> torch.Tensor:
    """Apply the output layer and any final logit transform that the model's config names.

    Covers `final_logit_softcapping` (Gemma 2 and 3) and `logit_scale` (Cohere), the two
    transforms that transformers 5 applies after the output layer in causal LMs.
    """
    logits = model.get_output_embeddings()(hidden)
    logit_scale = getattr(model.config, "logit_scale", None)
    if logit_scale is not None:
        logits = logits * logit_scale
    softcap = getattr(model.config, "final_logit_softcapping", None)
    if softcap is not None:
        logits = torch.tanh(logits / softcap) * softcap
    return logits


def target_token_loss(
    model: torch.nn.Module,
    input_ids: torch.Tensor,
    labels: torch.Tensor,
    position_ids: torch.Tensor | None = None,
) -> torch.Tensor:
    """Return the mean next-token cross-entropy over positions whose label is not ignored.

    `labels` follow the transformers convention: `labels[:, i]` is the token at position i,
    predicted from the hidden state at position i - 1. The value equals the `loss` that
    transformers computes from full logits with the same labels. No attention mask is passed,
    so packed rows rely on `position_ids` for their block-diagonal mask.
    """
    causal_lm = unwrap_peft(model)
    decoder = causal_lm.get_decoder()
    hidden = decoder(input_ids=input_ids, position_ids=position_ids, use_cache=False)[0]

    next_tokens = labels[:, 1:]
    selected = next_tokens != IGNORE_INDEX
    logits = project_to_vocab(causal_lm, hidden[:, :-1][selected])
    return F.cross_entropy(logits.float(), next_tokens[selected])

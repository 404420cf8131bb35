"""The demo forms: every field bounded, so a bad value is a 422 with the field named."""

from pydantic import BaseModel, ConfigDict, Field

from app.lm.dpo import DpoConfig
from app.lm.pretrain import PretrainConfig, with_budget
from app.lm.sft import SftConfig

MAX_FORM_STEPS = 5000
MAX_FORM_SECONDS = 600.0
MAX_QUESTION_CHARS = 200


class _Form(BaseModel):
    model_config = ConfigDict(extra="ignore")

    seed: int = Field(1337, ge=0, le=2**31 - 1, description="Seeds the weights, the batches and the samples.")


class PretrainForm(_Form):
    """Live pre-training from random weights."""

    steps: int = Field(PretrainConfig.steps, ge=1, le=MAX_FORM_STEPS)
    seconds: float = Field(PretrainConfig.max_seconds, gt=0, le=MAX_FORM_SECONDS, allow_inf_nan=False)
    learning_rate: float = Field(PretrainConfig.learning_rate, gt=0, le=0.1, allow_inf_nan=False)

    def config(self, steps: int, seconds: float) -> PretrainConfig:
        """The library's config, with the budget the server allows."""
        base = PretrainConfig(learning_rate=self.learning_rate, seed=self.seed)
        return with_budget(base, steps=steps, max_seconds=seconds)


class SftForm(_Form):
    """Live supervised fine-tuning of a copy of the lab model."""

    steps: int = Field(SftConfig.steps, ge=1, le=MAX_FORM_STEPS)
    seconds: float = Field(SftConfig.max_seconds, gt=0, le=MAX_FORM_SECONDS, allow_inf_nan=False)
    learning_rate: float = Field(SftConfig.learning_rate, gt=0, le=0.01, allow_inf_nan=False)
    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS)

    def config(self, steps: int, seconds: float) -> SftConfig:
        """The library's config, with the budget the server allows."""
        return SftConfig(steps=steps, max_seconds=seconds, learning_rate=self.learning_rate, seed=self.seed)


class DpoForm(_Form):
    """SFT for a reference, then live DPO on the preference pairs."""

    sft_steps: int = Field(20, ge=1, le=MAX_FORM_STEPS)
    steps: int = Field(DpoConfig.steps, ge=1, le=MAX_FORM_STEPS)
    seconds: float = Field(40.0, gt=0, le=MAX_FORM_SECONDS, allow_inf_nan=False)
    beta: float = Field(DpoConfig.beta, gt=0, le=5, allow_inf_nan=False)
    learning_rate: float = Field(DpoConfig.learning_rate, gt=0, le=0.01, allow_inf_nan=False)
    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS)

    def configs(self, sft_steps: int, steps: int, seconds: float) -> tuple[SftConfig, DpoConfig]:
        """The SFT phase gets at most half the seconds; DPO gets what is left of the whole."""
        sft = SftConfig(steps=sft_steps, max_seconds=seconds / 2, seed=self.seed)
        dpo = DpoConfig(
            steps=steps, max_seconds=seconds, beta=self.beta, learning_rate=self.learning_rate, seed=self.seed
        )
        return sft, dpo

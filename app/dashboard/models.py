"""Progress files already imported, so importing the same file twice is refused."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class ProgressImport(Base):
    """One imported progress file, known by the SHA-256 of its bytes."""

    __tablename__ = "progress_import"
    __table_args__ = (UniqueConstraint("learner_id", "digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[str] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"))
    digest: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())

"""Loads and validates the course content in content/: the course file and the nine lesson files."""

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.lessons.render import RenderedLesson, render_markdown, split_front_matter
from app.yamlfile import load_yaml


class ContentError(RuntimeError):
    """A content file is missing or malformed; the message names the file and the field."""


class LessonMeta(BaseModel):
    """A lesson's front matter."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    slug: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)
    title: str = Field(min_length=1, max_length=120)
    order: int = Field(ge=1)
    summary: str = Field(min_length=1)
    minutes: int = Field(ge=1, le=120)
    objectives: list[str] = Field(min_length=1)
    anchor: str | None = None


class CourseMeta(BaseModel):
    """The course file: title and introduction."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    module_title: str
    intro: str


@dataclass(frozen=True)
class Lesson:
    """One lesson: its front matter and its rendered body."""

    meta: LessonMeta
    rendered: RenderedLesson
    source_path: Path

    @property
    def slug(self) -> str:
        """The lesson's URL slug."""
        return self.meta.slug


@dataclass(frozen=True)
class Course:
    """The whole course, lessons in order."""

    meta: CourseMeta
    lessons: tuple[Lesson, ...]

    def lesson(self, slug: str) -> Lesson | None:
        """The lesson with this slug, or None."""
        return next((lesson for lesson in self.lessons if lesson.slug == slug), None)

    def neighbours(self, slug: str) -> tuple[Lesson | None, Lesson | None]:
        """The lessons before and after this one."""
        index = [lesson.slug for lesson in self.lessons].index(slug)
        previous = self.lessons[index - 1] if index > 0 else None
        following = self.lessons[index + 1] if index + 1 < len(self.lessons) else None
        return previous, following


def _describe(error: ValidationError) -> str:
    parts = []
    for err in error.errors():
        field = ".".join(str(p) for p in err["loc"]) or "(front matter)"
        parts.append(f"field '{field}': {err['msg']}")
    return "; ".join(parts)


def load_lesson(path: Path) -> Lesson:
    """Parse and validate one lesson file; raise ContentError naming the file and field."""
    front, body = split_front_matter(path.read_text(encoding="utf-8"))
    if front is None:
        raise ContentError(f"{path}: no front matter (a '---' YAML block at the top)")
    try:
        data = load_yaml(front)
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}: front matter is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ContentError(f"{path}: front matter must be a mapping of fields")
    try:
        meta = LessonMeta.model_validate(data)
    except ValidationError as exc:
        raise ContentError(f"{path}: {_describe(exc)}") from exc
    expected_name = f"{meta.order:02d}-{meta.slug}.md"
    if path.name != expected_name:
        raise ContentError(
            f"{path}: field 'slug'/'order' do not match the file name (expected {expected_name})"
        )
    return Lesson(meta=meta, rendered=render_markdown(body), source_path=path)


def load_course(content_dir: Path) -> Course:
    """Load course.yaml and every lesson in content/lessons/, checking order and slugs are unique."""
    course_file = content_dir / "course.yaml"
    if not course_file.exists():
        raise ContentError(f"{course_file}: missing")
    try:
        course_meta = CourseMeta.model_validate(load_yaml(course_file.read_text(encoding="utf-8")))
    except (yaml.YAMLError, ValidationError) as exc:
        raise ContentError(f"{course_file}: {exc}") from exc
    lessons = sorted(
        (load_lesson(path) for path in sorted((content_dir / "lessons").glob("*.md"))),
        key=lambda lesson: lesson.meta.order,
    )
    if not lessons:
        raise ContentError(f"{content_dir / 'lessons'}: no lesson files")
    orders = [lesson.meta.order for lesson in lessons]
    if orders != list(range(1, len(lessons) + 1)):
        raise ContentError(
            f"{content_dir / 'lessons'}: field 'order' must run 1..{len(lessons)}, got {orders}"
        )
    return Course(meta=course_meta, lessons=tuple(lessons))

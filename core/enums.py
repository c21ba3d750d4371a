"""The canonical identifiers of DOMAIN.md. Their Vietnamese names live in
:mod:`core.labels` (through Babel), never here."""

from __future__ import annotations

import enum


class Level(str, enum.Enum):
    """Levels of the organisation (cấp)."""

    central = "central"  # Trung ương
    province = "province"  # tỉnh ủy, thành ủy
    superior = "superior"  # huyện ủy (until 2025), đảng ủy xã/phường (since)
    grassroots = "grassroots"  # đảng bộ cơ sở, chi bộ cơ sở
    sub_committee = "sub_committee"  # đảng bộ bộ phận
    branch = "branch"  # chi bộ


# Rank from the top: lower number = higher level.
LEVEL_RANK = {
    Level.central: 0,
    Level.province: 1,
    Level.superior: 2,
    Level.grassroots: 3,
    Level.sub_committee: 4,
    Level.branch: 5,
}


class Role(str, enum.Enum):
    branch_secretary = "branch_secretary"  # bí thư chi bộ
    branch_deputy = "branch_deputy"  # phó bí thư
    committee_member = "committee_member"  # cấp ủy viên
    standing_member = "standing_member"  # ủy viên ban thường vụ
    organisation_officer = "organisation_officer"  # cán bộ ban tổ chức / ban xây dựng đảng
    inspection_officer = "inspection_officer"  # cán bộ ủy ban kiểm tra
    auditor = "auditor"  # read-only
    admin = "admin"


class PersonStatus(str, enum.Enum):
    candidate = "candidate"  # quần chúng ưu tú
    probationary = "probationary"  # đảng viên dự bị
    official = "official"  # đảng viên chính thức
    removed = "removed"  # xóa tên
    expelled = "expelled"  # khai trừ
    left = "left"  # ra khỏi Đảng
    deceased = "deceased"
    transferred_out = "transferred_out"  # chuyển sinh hoạt ra ngoài hệ thống (DOMAIN "Transfer")


class Exemption(str, enum.Enum):
    """What an exempted member is exempted from (DOMAIN "Exemption from work and activity")."""

    work = "work"  # miễn công tác đảng
    work_and_activity = "work_and_activity"  # miễn công tác và sinh hoạt đảng


class Gender(str, enum.Enum):
    male = "male"
    female = "female"


class Education(str, enum.Enum):
    """General education level (trình độ giáo dục phổ thông), lowest first."""

    none = "none"
    primary = "primary"  # tiểu học
    lower_secondary = "lower_secondary"  # trung học cơ sở
    upper_secondary = "upper_secondary"  # trung học phổ thông


EDUCATION_RANK = {e: i for i, e in enumerate(Education)}

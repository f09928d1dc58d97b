"""One workspace page per role: where each user lands after signing in."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portal.models import Role


@dataclass(frozen=True)
class Workspace:
    slug: str
    role: str
    title: str | Promise
    intro: str | Promise


WORKSPACES = {
    w.role: w
    for w in [
        Workspace("applicant", Role.APPLICANT_PERSON, _("我的办事"),
                  _("查看办事指南、在线申报、跟踪办件进度、领取电子证照。")),
        Workspace("enterprise", Role.APPLICANT_ENTERPRISE, _("企业办事"),
                  _("企业开办、项目审批与证照管理，一次申报，全程网办。")),
        Workspace("clerk", Role.CLERK, _("综合窗口"),
                  _("无差别全科受理：取号叫号、预审、受理或一次性告知补正、发放结果。")),
        Workspace("reviewer", Role.REVIEWER, _("审批工作台"),
                  _("本部门的并联审批任务：认领、审查、出具意见。")),
        Workspace("head", Role.HEAD, _("部门负责人工作台"),
                  _("审批延期、任务改派、AB岗设置与本部门办件统计。")),
        Workspace("supervisor", Role.SUPERVISOR, _("电子监察"),
                  _("红黄牌预警、超期办件、各部门效能与差评整改。")),
        Workspace("catalogue", Role.CATALOGUE_ADMIN, _("事项管理"),
                  _("编辑、审核、发布事项版本与“一件事”主题套餐。")),
        Workspace("agency", Role.AGENCY, _("中介机构工作台"),
                  _("资质管理、服务项目报名与成果提交。")),
        Workspace("admin", Role.SYSADMIN, _("系统管理"),
                  _("用户、部门、角色与节假日工作日历。")),
    ]
}
BY_SLUG = {w.slug: w for w in WORKSPACES.values()}

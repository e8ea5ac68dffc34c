// The route table: path pattern → page, and whether the page needs a signed-in person.
// Emailed links land on /sign-in/complete, /invitations/accept, /guardian/consent and
// /guardian/withdraw (services/profiles builds those URLs); the server sends every path that
// is not /v1, /health or /metrics to this app (ementor/platform/http/web_app.py).
import type { FunctionComponent } from "preact";
import { lazyPage } from "./lazy";
import { Advice } from "./pages/Advice";
import { ArticlePage } from "./pages/ArticlePage";
import { Complete } from "./pages/Complete";
import { Conversation } from "./pages/Conversation";
import { Goals } from "./pages/Goals";
import { GuardianConsent, GuardianWithdraw } from "./pages/Guardian";
import { Home } from "./pages/Home";
import { MatchPage } from "./pages/Match";
import { Mentors } from "./pages/Mentors";
import { MyData } from "./pages/MyData";
import { Profile } from "./pages/Profile";
import { Report } from "./pages/Report";
import { SecondFactor } from "./pages/SecondFactor";
import { Sessions } from "./pages/Sessions";
import { Settings } from "./pages/Settings";
import { SignIn } from "./pages/SignIn";
import { Survey } from "./pages/Survey";
import type { Params } from "./router";

// Staff pages are chunks of their own, loaded on first visit: a mentee on a phone never downloads
// them (nor uPlot, which only the insights pages import).
const StaffArticleEdit = lazyPage(() => import("./pages/StaffArticleEdit").then((m) => m.StaffArticleEdit));
const StaffArticles = lazyPage(() => import("./pages/StaffArticles").then((m) => m.StaffArticles));
const StaffAtRisk = lazyPage(() => import("./pages/StaffAtRisk").then((m) => m.StaffAtRisk));
const StaffAudit = lazyPage(() => import("./pages/StaffAudit").then((m) => m.StaffAudit));
const StaffConcern = lazyPage(() => import("./pages/StaffConcerns").then((m) => m.StaffConcern));
const StaffConcerns = lazyPage(() => import("./pages/StaffConcerns").then((m) => m.StaffConcerns));
const StaffDashboard = lazyPage(() => import("./pages/StaffDashboard").then((m) => m.StaffDashboard));
const StaffInsights = lazyPage(() => import("./pages/StaffInsights").then((m) => m.StaffInsights));
const StaffMatching = lazyPage(() => import("./pages/StaffMatching").then((m) => m.StaffMatching));
const StaffModeration = lazyPage(() => import("./pages/StaffModeration").then((m) => m.StaffModeration));
const StaffPeople = lazyPage(() => import("./pages/StaffPeople").then((m) => m.StaffPeople));
const StaffPerson = lazyPage(() => import("./pages/StaffPerson").then((m) => m.StaffPerson));
const StaffProgramme = lazyPage(() => import("./pages/StaffProgrammes").then((m) => m.StaffProgramme));
const StaffProgrammes = lazyPage(() => import("./pages/StaffProgrammes").then((m) => m.StaffProgrammes));
const StaffSafeguardingSettings = lazyPage(
  () => import("./pages/StaffSafeguardingSettings").then((m) => m.StaffSafeguardingSettings));
const StaffSettings = lazyPage(() => import("./pages/StaffSettings").then((m) => m.StaffSettings));
const StaffTeam = lazyPage(() => import("./pages/StaffTeam").then((m) => m.StaffTeam));

export type Route = { path: string; page: FunctionComponent<{ params: Params }>; signedIn: boolean };

export const routes: Route[] = [
  { path: "/sign-in", page: SignIn, signedIn: false },
  { path: "/sign-in/complete", page: Complete, signedIn: false },
  { path: "/invitations/accept", page: Complete, signedIn: false },
  { path: "/guardian/consent", page: GuardianConsent, signedIn: false },
  { path: "/guardian/withdraw", page: GuardianWithdraw, signedIn: false },
  { path: "/", page: Home, signedIn: true },
  { path: "/profile", page: Profile, signedIn: true },
  { path: "/mentors", page: Mentors, signedIn: true },
  { path: "/settings", page: Settings, signedIn: true },
  { path: "/my-data", page: MyData, signedIn: true },
  { path: "/matches/:id", page: MatchPage, signedIn: true },
  { path: "/matches/:id/conversation", page: Conversation, signedIn: true },
  { path: "/matches/:id/sessions", page: Sessions, signedIn: true },
  // Surveys (issue 15): the emailed link lands here.
  { path: "/surveys/:id", page: Survey, signedIn: true },
  { path: "/staff", page: StaffDashboard, signedIn: true },
  { path: "/staff/moderation", page: StaffModeration, signedIn: true },
  { path: "/staff/people", page: StaffPeople, signedIn: true },
  { path: "/staff/people/:id", page: StaffPerson, signedIn: true },
  { path: "/staff/staff", page: StaffTeam, signedIn: true },
  // Safeguarding (issue 17)
  { path: "/report", page: Report, signedIn: true },
  { path: "/staff/concerns", page: StaffConcerns, signedIn: true },
  { path: "/staff/concerns/:id", page: StaffConcern, signedIn: true },
  { path: "/staff/safeguarding-settings", page: StaffSafeguardingSettings, signedIn: true },
  // Staff programmes, matching, audit and settings (issue 14, staff side).
  { path: "/staff/programmes", page: StaffProgrammes, signedIn: true },
  { path: "/staff/programmes/:id", page: StaffProgramme, signedIn: true },
  { path: "/staff/matching", page: StaffMatching, signedIn: true },
  { path: "/staff/audit", page: StaffAudit, signedIn: true },
  { path: "/staff/settings", page: StaffSettings, signedIn: true },
  // Insights pages (issue 15).
  { path: "/staff/insights", page: StaffInsights, signedIn: true },
  { path: "/staff/insights/at-risk", page: StaffAtRisk, signedIn: true },
  // knowledge (issue 16): advice for participants, articles for staff
  { path: "/advice", page: Advice, signedIn: true },
  { path: "/advice/:id", page: ArticlePage, signedIn: true },
  { path: "/staff/articles", page: StaffArticles, signedIn: true },
  { path: "/staff/articles/:id", page: StaffArticleEdit, signedIn: true },
  // Participant pages, more (issue 14): a match's goals; the staff second factor after sign-in.
  { path: "/matches/:id/goals", page: Goals, signedIn: true },
  { path: "/sign-in/second-factor", page: SecondFactor, signedIn: false },
];

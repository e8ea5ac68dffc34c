// The route table: path pattern → page, and whether the page needs a signed-in person.
// Emailed links land on /sign-in/complete, /invitations/accept, /guardian/consent and
// /guardian/withdraw (services/profiles builds those URLs); the server sends every path that
// is not /v1, /health or /metrics to this app (ementor/platform/http/web_app.py).
import type { FunctionComponent } from "preact";
import { Complete } from "./pages/Complete";
import { Conversation } from "./pages/Conversation";
import { Goals } from "./pages/Goals";
import { SecondFactor } from "./pages/SecondFactor";
import { GuardianConsent, GuardianWithdraw } from "./pages/Guardian";
import { Home } from "./pages/Home";
import { MatchPage } from "./pages/Match";
import { Mentors } from "./pages/Mentors";
import { MyData } from "./pages/MyData";
import { Profile } from "./pages/Profile";
import { Sessions } from "./pages/Sessions";
import { Settings } from "./pages/Settings";
import { SignIn } from "./pages/SignIn";
import { StaffDashboard } from "./pages/StaffDashboard";
import { StaffModeration } from "./pages/StaffModeration";
import { StaffPeople } from "./pages/StaffPeople";
import { StaffTeam } from "./pages/StaffTeam";
import type { Params } from "./router";

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
  { path: "/staff", page: StaffDashboard, signedIn: true },
  { path: "/staff/moderation", page: StaffModeration, signedIn: true },
  { path: "/staff/people", page: StaffPeople, signedIn: true },
  { path: "/staff/staff", page: StaffTeam, signedIn: true },
  // Participant pages, more (issue 14): a match's goals; the staff second factor after sign-in.
  { path: "/matches/:id/goals", page: Goals, signedIn: true },
  { path: "/sign-in/second-factor", page: SecondFactor, signedIn: false },
];

/** The Action's entry: action.yml points main and post at this one bundle; the saved state says which runs. */
import { post } from "./post.js";
import { run } from "./main.js";
import { isPost, markPost } from "./state.js";

if (isPost()) await post();
else {
  markPost();
  await run();
}

<?php
// Stand-in for Moodle's question/type/numerical/questiontype.php (not used by a SHORTANSWER part).
class qtype_numerical {
}

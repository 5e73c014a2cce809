<?php
// Stand-in for Moodle's question/type/questiontypebase.php: the base class qtype_multianswer extends.
class question_type {
}

<?php
// Stand-in for Moodle's question/type/multichoice/question.php: the layout constants the Cloze parser sets.
class qtype_multichoice_base {
    const LAYOUT_DROPDOWN = 0;
    const LAYOUT_VERTICAL = 1;
    const LAYOUT_HORIZONTAL = 2;
}

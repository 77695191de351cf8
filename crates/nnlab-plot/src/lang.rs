//! The language of a figure's words: English (the notebook's figures are English) or Russian (the
//! language of the lesson nnlab comes from). Only titles, axis labels, legends and captions change;
//! numbers, layer names (`||W1||`) and the settings' own names (`relu`, `adam`) stay as they are.
//!
//! Each figure picks its words where it draws them, `lang.pick("Loss", "Функция потерь")`, so a
//! reader sees both languages side by side in the drawing code. The Russian words are those of
//! README.ru.md: эпоха, функция потерь, точность, обучающая и тестовая выборка, граница принятия
//! решений, скрытый слой.

use std::fmt;
use std::str::FromStr;

/// The language of a figure's titles, axis labels and legends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    /// English, as the notebook's figures.
    #[default]
    En,
    /// Russian, as the lesson's text.
    Ru,
}

impl Lang {
    /// The words for this language: `en` or `ru`.
    pub fn pick<'w>(self, en: &'w str, ru: &'w str) -> &'w str {
        match self {
            Lang::En => en,
            Lang::Ru => ru,
        }
    }

    /// "1 epoch", "2 epochs"; "1 эпоха", "2 эпохи", "5 эпох".
    pub fn epochs(self, n: usize) -> String {
        let word = match self {
            Lang::En if n == 1 => "epoch",
            Lang::En => "epochs",
            Lang::Ru => russian_form(n, ["эпоха", "эпохи", "эпох"]),
        };
        format!("{n} {word}")
    }
}

/// The form of a Russian noun after the count `n`, from its three forms (for 1, for 2–4, for 5 and
/// on: 1 эпоха, 2 эпохи, 5 эпох), chosen by the last two digits (11–14 take the third).
pub fn russian_form(n: usize, forms: [&str; 3]) -> &str {
    match (n % 10, n % 100) {
        (_, 11..=14) => forms[2],
        (1, _) => forms[0],
        (2..=4, _) => forms[1],
        _ => forms[2],
    }
}

impl FromStr for Lang {
    type Err = String;

    fn from_str(text: &str) -> Result<Lang, String> {
        match text {
            "en" => Ok(Lang::En),
            "ru" => Ok(Lang::Ru),
            _ => Err(format!(
                "{text:?} is not a figure language: give en (English) or ru (Russian)"
            )),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.pick("en", "ru"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_counts_take_the_form_of_their_last_digits() {
        // The rule of Russian grammar: 1, 21, 101 эпоха; 2–4, 22–24 эпохи; 0, 5–20, 25–30, 111–114 эпох.
        let ru = |n| Lang::Ru.epochs(n);
        for (n, word) in [
            (1, "эпоха"),
            (2, "эпохи"),
            (4, "эпохи"),
            (5, "эпох"),
            (11, "эпох"),
            (12, "эпох"),
            (14, "эпох"),
            (20, "эпох"),
            (21, "эпоха"),
            (22, "эпохи"),
            (100, "эпох"),
            (101, "эпоха"),
            (111, "эпох"),
            (1000, "эпох"),
        ] {
            assert_eq!(ru(n), format!("{n} {word}"));
        }
        assert_eq!(Lang::En.epochs(1), "1 epoch");
        assert_eq!(Lang::En.epochs(0), "0 epochs");
        assert_eq!(Lang::En.epochs(21), "21 epochs");
    }

    #[test]
    fn languages_read_back_from_their_names() {
        for lang in [Lang::En, Lang::Ru] {
            assert_eq!(lang.to_string().parse::<Lang>(), Ok(lang));
        }
        assert!("fr"
            .parse::<Lang>()
            .unwrap_err()
            .contains("en (English) or ru"));
    }
}
